//! Synthetic role content of realistic size, written as content files and
//! loaded through the server's own `import` command.

use std::fmt::Write as _;
use std::path::Path;

/// Pool the roles draw their skills from.
const SKILL_POOL: usize = 200;

/// A sentence of about `len` characters, varied by `seed`.
fn text(seed: usize, len: usize) -> String {
    const WORDS: &[&str] = &[
        "design", "service", "latency", "schema", "incident", "query", "cache", "team", "deploy",
        "metric", "review", "scale", "budget", "index", "release", "customer",
    ];
    let mut out = String::with_capacity(len + 16);
    let mut i = seed;
    while out.len() < len {
        out.push_str(WORDS[i % WORDS.len()]);
        out.push(' ');
        i = i.wrapping_mul(31).wrapping_add(7);
    }
    out.truncate(len);
    out.trim_end().to_owned() + "."
}

/// The content file of synthetic role `i`: 8 skills from a pool of 200, 12
/// questions of about 100 characters, 5 steps, 3 phases of 4 tasks, 5
/// mistakes, 2 salary benchmarks of 3 levels, 5 FAQs of about 300 characters.
pub fn role(i: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "slug = \"bench-role-{i:05}\"");
    let _ = writeln!(s, "title = \"Bench Role {i:05}\"");
    let _ = writeln!(s, "summary = \"{}\"", text(i, 200));
    let _ = writeln!(
        s,
        "reviewer = {{ name = \"Reviewer {i}\", title = \"Principal\" }}"
    );
    for k in 0..8 {
        let skill = (i * 7 + k * 13) % SKILL_POOL;
        let _ = writeln!(
            s,
            "[[skills]]\nslug = \"skill-{skill:03}\"\nname = \"Skill {skill:03}\""
        );
    }
    for q in 0..12 {
        let _ = writeln!(
            s,
            "[[questions]]\ncategory = \"behavioural\"\nprompt = \"{}\"",
            text(i + q, 100)
        );
    }
    for p in 0..5 {
        let _ = writeln!(s, "[[prep_steps]]\ntext = \"{}\"", text(i + p + 50, 90));
    }
    for (n, days) in [14, 7, 1].iter().enumerate() {
        let tasks: Vec<String> = (0..4)
            .map(|t| format!("\"{}\"", text(i + n * 4 + t, 110)))
            .collect();
        let _ = writeln!(
            s,
            "[[timeline]]\nlabel = \"{days} days before\"\ndays_before = {days}\ntasks = [{}]",
            tasks.join(", ")
        );
    }
    for m in 0..5 {
        let _ = writeln!(
            s,
            "[[mistakes]]\ntitle = \"{}\"\nexplanation = \"{}\"",
            text(i + m, 40),
            text(i + m + 9, 250)
        );
    }
    for (country, currency) in [("GB", "GBP"), ("US", "USD")] {
        let _ = writeln!(
            s,
            "[[salary]]\ncountry = \"{country}\"\ncurrency = \"{currency}\"\nmedian = 62000\nlow = 35000\nhigh = 100000\nsource = \"Synthetic\"\nas_of = \"2026-11-01\"\nlevels = {{ junior = 38000, mid = 62000, senior = 85000 }}"
        );
    }
    for f in 0..5 {
        let _ = writeln!(
            s,
            "[[faqs]]\nquestion = \"{}\"\nanswer = \"{}\"",
            text(i + f, 80),
            text(i + f + 3, 300)
        );
    }
    let _ = writeln!(
        s,
        "[[resources]]\ntitle = \"Guide {i}\"\nkind = \"article\"\nurl = \"https://example.com/guide/{i}\""
    );
    s
}

/// Writes `n` role files into `dir`.
pub fn write_roles(dir: &Path, n: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for i in 0..n {
        std::fs::write(dir.join(format!("bench-role-{i:05}.toml")), role(i))?;
    }
    Ok(())
}
