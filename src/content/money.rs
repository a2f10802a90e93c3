//! Formatting whole-unit money amounts for display, e.g. "£62,000".

/// The display prefix of an ISO 4217 currency.
///
/// The pound and euro have a symbol nobody misreads; the dollar is written
/// "US$" as on the reference page, because "$" alone is ambiguous across
/// countries. Other currencies fall back to their code and a space.
fn prefix(currency: &str) -> String {
    match currency {
        "GBP" => "£".to_owned(),
        "EUR" => "€".to_owned(),
        "USD" => "US$".to_owned(),
        "JPY" => "¥".to_owned(),
        "INR" => "₹".to_owned(),
        "CAD" => "CA$".to_owned(),
        "AUD" => "A$".to_owned(),
        other => format!("{other} "),
    }
}

/// Groups the digits of `amount` in threes with commas: 1234567 -> "1,234,567".
fn group_thousands(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Formats `amount` whole units of `currency` for display.
pub fn format(amount: i64, currency: &str) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    format!(
        "{sign}{}{}",
        prefix(currency),
        group_thousands(amount.unsigned_abs())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_reference_figures() {
        assert_eq!(format(62_000, "GBP"), "£62,000");
        assert_eq!(format(125_000, "USD"), "US$125,000");
        assert_eq!(format(1_234_567, "EUR"), "€1,234,567");
    }

    #[test]
    fn small_negative_and_unknown_currencies() {
        assert_eq!(format(0, "GBP"), "£0");
        assert_eq!(format(999, "GBP"), "£999");
        assert_eq!(format(-1_000, "GBP"), "-£1,000");
        assert_eq!(format(100_000, "CHF"), "CHF 100,000");
    }
}
