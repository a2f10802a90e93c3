//! The checked-in `schema.graphql` is what the code builds.

#[test]
fn checked_in_schema_matches_the_code() {
    let built = prep_graphql::schema::sdl();
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
            .expect("schema.graphql exists");
    assert!(
        built == checked_in,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

#[test]
fn schema_command_prints_the_sdl() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_prep-graphql"))
        .arg("schema")
        .output()
        .expect("run prep-graphql schema");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        prep_graphql::schema::sdl()
    );
}
