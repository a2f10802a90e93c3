//! A closed-loop load generator: `concurrency` clients send requests back to
//! back for a duration; latencies are kept to compute percentiles.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    /// Latencies in microseconds, sorted.
    pub latencies: Vec<u64>,
    pub bytes: usize,
}

impl Run {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The `p`-th percentile latency in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p / 100.0).round() as usize;
        self.latencies[i] as f64 / 1000.0
    }

    pub fn merge(mut self, other: Run) -> Run {
        self.requests += other.requests;
        self.errors += other.errors;
        self.seconds += other.seconds;
        self.bytes += other.bytes;
        self.latencies.extend(other.latencies);
        self.latencies.sort_unstable();
        self
    }
}

/// Sends `body` (a JSON GraphQL request) to `url` from `concurrency` clients for `duration`.
/// A request counts as an error when the status is not 200 or the body has `errors`.
pub async fn run(
    url: &str,
    body: Arc<Value>,
    headers: Vec<(String, String)>,
    concurrency: usize,
    duration: Duration,
) -> Run {
    run_requests(url, Some(body), headers, concurrency, duration).await
}

/// Like [`run`], with GETs of `url` (the GraphQL request in its query string).
pub async fn run_get(url: &str, concurrency: usize, duration: Duration) -> Run {
    run_requests(url, None, vec![], concurrency, duration).await
}

/// POSTs of `body`, or GETs without one.
async fn run_requests(
    url: &str,
    body: Option<Arc<Value>>,
    headers: Vec<(String, String)>,
    concurrency: usize,
    duration: Duration,
) -> Run {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, body, headers) = (
            client.clone(),
            url.to_owned(),
            body.clone(),
            headers.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut run = Run::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                let mut request = match &body {
                    Some(body) => client.post(&url).json(&**body),
                    None => client.get(&url),
                };
                for (k, v) in &headers {
                    request = request.header(k, v);
                }
                let ok = match request.send().await {
                    Ok(response) if response.status() == 200 => match response.bytes().await {
                        Ok(bytes) => {
                            run.bytes += bytes.len();
                            !bytes.windows(9).any(|w| w == b"\"errors\":")
                        }
                        Err(_) => false,
                    },
                    _ => false,
                };
                run.latencies.push(t.elapsed().as_micros() as u64);
                run.requests += 1;
                if !ok {
                    run.errors += 1;
                }
            }
            run
        }));
    }
    let mut total = Run::default();
    for task in tasks {
        if let Ok(run) = task.await {
            total.requests += run.requests;
            total.errors += run.errors;
            total.bytes += run.bytes;
            total.latencies.extend(run.latencies);
        }
    }
    total.seconds = started.elapsed().as_secs_f64();
    total.latencies.sort_unstable();
    total
}
