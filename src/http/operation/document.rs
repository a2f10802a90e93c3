//! Checks on a query document before it is parsed or run: size, tokens,
//! aliases, and NUL characters in its text values.
//!
//! Size and tokens are counted on the raw text with a small lexer, so a
//! hostile document (10,000 levels deep, a megabyte long) is refused before
//! the parser spends anything on it. Depth, complexity, directives and
//! recursion are left to async-graphql's own limits (see `build_schema`).

use async_graphql::Variables;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
// The parser's values (with variables), which async-graphql does not re-export.
use async_graphql_value::{ConstValue, Value};

use crate::config::HttpConfig;

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// Counts the lexical tokens of a GraphQL document (punctuators, names,
/// numbers and strings; whitespace, commas and comments are not tokens).
pub fn count_tokens(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                n += 1;
                if bytes[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                n += 1;
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                n += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'-' | b'+'))
                {
                    i += 1;
                }
            }
            _ => {
                n += 1;
                i += 1;
            }
        }
    }
    n
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + count_aliases(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => count_aliases(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// Aliases written in a document (in operations and fragments).
pub fn aliases(document: &ExecutableDocument) -> usize {
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| count_aliases(&op.node.selection_set.node))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| count_aliases(&f.node.selection_set.node))
        .sum();
    operations + fragments
}

fn count_schema_fields(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.name.node == "__schema")
                    + count_schema_fields(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => count_schema_fields(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// `__schema` fields written in a document (in operations and fragments);
/// each alias is one more copy of the whole schema in the answer.
pub fn schema_introspections(document: &ExecutableDocument) -> usize {
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| count_schema_fields(&op.node.selection_set.node))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| count_schema_fields(&f.node.selection_set.node))
        .sum();
    operations + fragments
}

/// The complexity `__schema` fields add: async-graphql counts one like any
/// object field (1 plus its selection), though its lists (`types`, `fields`,
/// `args`) answer the whole schema, about 110 KB. Charged against the same
/// `max_complexity`, so a document of 50 aliased `__schema` is refused while
/// the one an IDE sends fits.
pub fn introspection_cost(document: &ExecutableDocument, limits: &HttpConfig) -> usize {
    schema_introspections(document).saturating_mul(limits.introspection_cost)
}

/// Checks size and tokens of the raw text.
pub fn check_text(text: &str, limits: &HttpConfig) -> Result<(), Refused> {
    if text.len() > limits.max_document_bytes {
        return Err(Refused(format!(
            "the document is {} bytes; the limit is {}",
            text.len(),
            limits.max_document_bytes
        )));
    }
    let tokens = count_tokens(text);
    if tokens > limits.max_tokens {
        return Err(Refused(format!(
            "the document has {tokens} tokens; the limit is {}",
            limits.max_tokens
        )));
    }
    Ok(())
}

/// Checks what needs the parsed document.
pub fn check_parsed(document: &ExecutableDocument, limits: &HttpConfig) -> Result<(), Refused> {
    let n = aliases(document);
    if n > limits.max_aliases {
        return Err(Refused(format!(
            "the document has {n} aliases; the limit is {}",
            limits.max_aliases
        )));
    }
    Ok(())
}

/// The first input holding a NUL character, named as precisely as it can
/// be: the innermost input-object field around it, else the variable's or
/// the argument's name.
///
/// PostgreSQL cannot store NUL in text and SQLite would keep it silently; no
/// client has a reason to send one, so it is refused up front on every field.
///
/// A variable's default value is checked as well: a variable the request
/// leaves out takes its default at execution, after this check, so a NUL
/// written there would otherwise reach the resolvers unseen.
pub fn nul_in(document: &ExecutableDocument, variables: &Variables) -> Option<String> {
    let in_variables = variables
        .iter()
        .find_map(|(name, v)| const_nul(v).map(|inner| inner.unwrap_or_else(|| name.to_string())));
    let in_defaults = || {
        document.operations.iter().find_map(|(_, op)| {
            op.node.variable_definitions.iter().find_map(|def| {
                let default = def.node.default_value.as_ref()?;
                const_nul(&default.node)
                    .map(|inner| inner.unwrap_or_else(|| def.node.name.node.to_string()))
            })
        })
    };
    in_variables.or_else(in_defaults).or_else(|| {
        let in_operations = document
            .operations
            .iter()
            .find_map(|(_, op)| nul_in_set(&op.node.selection_set.node));
        in_operations.or_else(|| {
            document
                .fragments
                .values()
                .find_map(|f| nul_in_set(&f.node.selection_set.node))
        })
    })
}

fn nul_in_set(set: &SelectionSet) -> Option<String> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(f) => {
            let field = &f.node;
            let directives = field
                .directives
                .iter()
                .flat_map(|d| d.node.arguments.iter());
            field
                .arguments
                .iter()
                .chain(directives)
                .find_map(|(name, value)| {
                    value_nul(&value.node)
                        .map(|inner| inner.unwrap_or_else(|| name.node.to_string()))
                })
                .or_else(|| nul_in_set(&field.selection_set.node))
        }
        Selection::InlineFragment(f) => nul_in_set(&f.node.selection_set.node),
        Selection::FragmentSpread(_) => None,
    })
}

/// `Some(field)` when `value` holds a NUL: the innermost object key around
/// it, or `None` inside when the value itself (or a list of it) is the text.
fn value_nul(value: &Value) -> Option<Option<String>> {
    match value {
        Value::String(s) => s.contains('\0').then_some(None),
        Value::List(items) => items.iter().find_map(value_nul),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                return Some(Some(k.to_string()));
            }
            value_nul(v).map(|inner| Some(inner.unwrap_or_else(|| k.to_string())))
        }),
        _ => None,
    }
}

fn const_nul(value: &ConstValue) -> Option<Option<String>> {
    match value {
        ConstValue::String(s) => s.contains('\0').then_some(None),
        ConstValue::List(items) => items.iter().find_map(const_nul),
        ConstValue::Object(fields) => fields.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                return Some(Some(k.to_string()));
            }
            const_nul(v).map(|inner| Some(inner.unwrap_or_else(|| k.to_string())))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tokens_like_the_grammar() {
        assert_eq!(count_tokens("{ a }"), 3);
        assert_eq!(
            count_tokens("query Q($x: Int = -1.5e3) { a(x: $x) @skip(if: true) }"),
            26
        );
        assert_eq!(count_tokens("# comment only\n{ a, b }"), 4);
        assert_eq!(
            count_tokens(r#"{ a(s: "x y \" z", t: """block " still""") }"#),
            11
        );
        assert_eq!(count_tokens("{ ...F } fragment F on Q { a }"), 11);
    }

    #[test]
    fn counts_aliases_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "{ a: role(slug: \"x\") { t: title } b: role(slug: \"y\") { ...F } } fragment F on Role { s: slug }",
        )
        .unwrap();
        assert_eq!(aliases(&doc), 4);
    }

    #[test]
    fn finds_nul_in_literals_and_variables() {
        let doc = |q: &str| async_graphql::parser::parse_query(q).unwrap();
        let none = Variables::default();
        assert_eq!(
            nul_in(&doc(r#"{ role(slug: "a") { title } }"#), &none),
            None
        );
        assert_eq!(
            nul_in(&doc(r#"{ role(slug: "a\u0000b") { title } }"#), &none).as_deref(),
            Some("slug")
        );
        assert_eq!(
            nul_in(
                &doc(r#"mutation { register(input: { email: "x\u0000" }) { token } }"#),
                &none
            )
            .as_deref(),
            Some("email")
        );
        let vars = Variables::from_json(serde_json::json!({ "input": { "title": "a\u{0}" } }));
        assert_eq!(nul_in(&doc("{ a }"), &vars).as_deref(), Some("title"));
        let vars = Variables::from_json(serde_json::json!({ "q": ["ok", "a\u{0}"] }));
        assert_eq!(nul_in(&doc("{ a }"), &vars).as_deref(), Some("q"));
        // In a default value, used when the request leaves the variable out.
        assert_eq!(
            nul_in(
                &doc(r#"query($slug: String = "x\u0000y") { role(slug: $slug) { title } }"#),
                &none
            )
            .as_deref(),
            Some("slug")
        );
        assert_eq!(
            nul_in(
                &doc(r#"mutation($i: LoginInput = { email: "a\u0000", password: "p" }) { login(input: $i) { token } }"#),
                &none
            )
            .as_deref(),
            Some("email")
        );
    }

    #[test]
    fn counts_schema_introspections_with_their_aliases() {
        let doc = async_graphql::parser::parse_query(
            "{ __schema { types { name } } a: __schema { queryType { name } } __type(name: \"Role\") { name } ...F } fragment F on QueryRoot { b: __schema { types { name } } }",
        )
        .unwrap();
        assert_eq!(schema_introspections(&doc), 3);
        let limits = HttpConfig::default();
        assert_eq!(
            introspection_cost(&doc, &limits),
            3 * limits.introspection_cost
        );
    }

    #[test]
    fn refuses_big_and_long_documents() {
        let limits = HttpConfig {
            max_document_bytes: 100,
            max_tokens: 10,
            ..HttpConfig::default()
        };
        assert!(check_text("{ a }", &limits).is_ok());
        assert!(check_text(&"{ a }".repeat(30), &limits).is_err());
        assert!(check_text("{ a b c d e f g h i j k }", &limits).is_err());
    }
}
