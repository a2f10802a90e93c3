//! Size and time of each brotli quality and gzip level on one answer, to choose
//! how the response cache compresses its entries (BENCHMARKS.md, "Compressed
//! cache entries"): `cargo run --release --example compression_levels -- answer.json`.

use std::io::Write as _;
use std::time::Instant;

fn brotli(data: &[u8], quality: u32) -> std::io::Result<Vec<u8>> {
    let mut encoder = brotli::CompressorWriter::new(Vec::new(), 4096, quality, 22);
    encoder.write_all(data)?;
    Ok(encoder.into_inner())
}

fn gzip(data: &[u8], level: u32) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(data)?;
    encoder.finish()
}

/// The compressed size and the best of five times, in milliseconds.
fn measure(compress: impl Fn() -> std::io::Result<Vec<u8>>) -> std::io::Result<(usize, f64)> {
    let mut best = f64::MAX;
    let mut len = 0;
    for _ in 0..5 {
        let started = Instant::now();
        len = compress()?.len();
        best = best.min(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((len, best))
}

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: compression_levels <answer.json>");
        std::process::exit(2);
    };
    let data = std::fs::read(path)?;
    println!("| coding | bytes of {} | ms |\n|---|---|---|", data.len());
    for quality in 4..=11 {
        let (len, ms) = measure(|| brotli(&data, quality))?;
        println!("| br {quality} | {len} | {ms:.1} |");
    }
    for level in [1, 6, 9] {
        let (len, ms) = measure(|| gzip(&data, level))?;
        println!("| gzip {level} | {len} | {ms:.1} |");
    }
    Ok(())
}
