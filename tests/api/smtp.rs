//! A small SMTP server for tests: speaks just enough of RFC 5321 for
//! lettre (no TLS, no AUTH) and hands each message's text to the test.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

/// The running server; stops when dropped.
pub struct TestSmtp {
    /// `smtp://127.0.0.1:PORT` (no TLS), for `--smtp-url`.
    pub url: String,
    messages: Mutex<mpsc::UnboundedReceiver<String>>,
    /// While true, every `MAIL FROM` gets `451` (a server that is down for mail).
    pub refusing: Arc<AtomicBool>,
    accept: JoinHandle<()>,
}

impl TestSmtp {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::unbounded_channel();
        let refusing = Arc::new(AtomicBool::new(false));
        let refusing2 = refusing.clone();
        let accept = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (tx, refusing) = (tx.clone(), refusing2.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 test ESMTP\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                let _ = tx.send(std::mem::take(body));
                                data = None;
                                let _ = write.write_all(b"250 queued\r\n").await;
                            } else {
                                body.push_str(line.strip_prefix('.').unwrap_or(&line));
                                body.push('\n');
                            }
                            continue;
                        }
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250 test\r\n",
                            "MAIL" if refusing.load(Ordering::SeqCst) => b"451 try again later\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            }
                            _ => b"250 ok\r\n",
                        };
                        if write.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self {
            url,
            messages: Mutex::new(rx),
            refusing,
            accept,
        }
    }

    /// The next message received (headers and body), within 20 s.
    pub async fn next_message(&self) -> String {
        tokio::time::timeout(Duration::from_secs(20), self.messages.lock().await.recv())
            .await
            .expect("no mail within 20 s")
            .expect("the SMTP server stopped")
    }

    /// A message if one arrives within `wait`.
    pub async fn message_within(&self, wait: Duration) -> Option<String> {
        tokio::time::timeout(wait, self.messages.lock().await.recv())
            .await
            .ok()
            .flatten()
    }
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// A mail's body as a reader sees it: quoted-printable decoded (soft line
/// breaks joined, `=XX` bytes restored) when the mail says it is.
pub fn body_text(mail: &str) -> String {
    let (headers, body) = mail.split_once("\n\n").unwrap_or((mail, ""));
    if !headers
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: quoted-printable")
    {
        return body.to_owned();
    }
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The reset secret in a mail's link (`/reset-password#secret=...`).
pub fn reset_secret(mail: &str) -> String {
    let mail = body_text(mail);
    let start = mail.find("#secret=").expect("a reset link in the mail") + "#secret=".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
