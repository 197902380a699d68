//! Request bodies: content type, gzip (with or without `Content-Encoding`)
//! and the size limit, checked while reading and while decompressing so
//! that a gzip bomb is stopped at the limit instead of filling memory.
//!
//! Bodies are read into buffers that are reused from request to request
//! ([`Buffer`]). A batch of events is megabytes: a fresh allocation of that
//! size gets fresh pages from the kernel, which zeroes every one of them
//! on first touch, and under batched ingestion that zeroing was a sixth of
//! the server's CPU time.

use std::io::Read;
use std::ops::Deref;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use flate2::read::MultiGzDecoder;
use http_body_util::BodyExt;

use super::ApiError;
use crate::error::ErrorCode;

/// The first bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How many idle buffers are kept: about as many as there are concurrent
/// writers of large bodies; a request that finds none allocates its own.
const KEPT_BUFFERS: usize = 4;

/// Idle buffers, most recently returned last.
#[derive(Debug, Default)]
struct Pool(Mutex<Vec<Vec<u8>>>);

/// The buffers of request bodies.
static BODIES: Pool = Pool(Mutex::new(Vec::new()));

impl Pool {
    /// An empty buffer: an idle one if there is one.
    fn take(&'static self) -> Buffer {
        let idle = self.0.lock().unwrap_or_else(|e| e.into_inner()).pop();
        Buffer {
            bytes: idle.unwrap_or_default(),
            pool: self,
        }
    }
}

/// A request body's bytes, in a buffer that goes back to its pool, to be
/// reused, when dropped.
#[derive(Debug)]
pub struct Buffer {
    bytes: Vec<u8>,
    pool: &'static Pool,
}

impl Deref for Buffer {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl AsRef<[u8]> for Buffer {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes.clear();
        let mut idle = self.pool.0.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEPT_BUFFERS {
            idle.push(bytes);
        }
    }
}

/// Reads a JSON request body: refuses other content types (415), inflates
/// gzip, and refuses bodies larger than `limit` bytes once inflated (413).
pub async fn read_json(headers: &HeaderMap, body: Body, limit: usize) -> Result<Buffer, ApiError> {
    check_content_type(headers)?;
    let gzip_declared = match headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
    {
        None => false,
        Some(enc) if enc.is_empty() || enc == "identity" => false,
        Some(enc) if enc == "gzip" || enc == "x-gzip" => true,
        Some(enc) => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!("unsupported Content-Encoding {enc:?}; send identity or gzip"),
            ));
        }
    };
    let raw = read_all(body, limit).await?;
    // Older Java clients gzip without saying so: sniff the magic bytes.
    if gzip_declared || raw.starts_with(&GZIP_MAGIC) {
        let mut inflated = BODIES.take();
        inflate(&raw, limit, &mut inflated.bytes)?;
        Ok(inflated)
    } else {
        Ok(raw)
    }
}

/// Reads the whole body, refusing more than `limit` bytes.
async fn read_all(mut body: Body, limit: usize) -> Result<Buffer, ApiError> {
    let mut buffer = BODIES.take();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::new(
                ErrorCode::BadEncoding,
                format!("the request body could not be read: {e}"),
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if buffer.bytes.len() + data.len() > limit {
                return Err(too_large(limit));
            }
            buffer.bytes.extend_from_slice(&data);
        }
    }
    Ok(buffer)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("request body exceeds the limit of {limit} bytes (after decompression)"),
    )
}

/// Inflates gzip into `out`, stopping one byte past the limit.
fn inflate(compressed: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), ApiError> {
    MultiGzDecoder::new(compressed)
        .take(limit as u64 + 1)
        .read_to_end(out)
        .map_err(|e| ApiError::new(ErrorCode::BadEncoding, format!("invalid gzip body: {e}")))?;
    if out.len() > limit {
        return Err(too_large(limit));
    }
    Ok(())
}

/// JSON, any `+json` type, or no type at all (many scripts send none).
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or("").to_ascii_lowercase();
    let essence = text.split(';').next().unwrap_or("").trim();
    let json = matches!(essence, "application/json" | "text/json")
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if json {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("unsupported Content-Type {essence:?}; send application/json"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn inflation_stops_at_the_limit() {
        let bomb = gzip(&vec![b' '; 10_000_000]);
        assert!(bomb.len() < 20_000);
        let err = inflate(&bomb, 1_000, &mut Vec::new()).unwrap_err();
        assert_eq!(err.0.code, ErrorCode::PayloadTooLarge);
        let mut out = Vec::new();
        inflate(&gzip(b"{}"), 1_000, &mut out).unwrap();
        assert_eq!(out, b"{}");
    }

    #[test]
    fn buffers_are_reused_and_only_a_few_are_kept() {
        let pool: &'static Pool = Box::leak(Box::default());
        let mut first = pool.take();
        first.bytes.extend_from_slice(&[1; 4096]);
        drop(first);
        let again = pool.take();
        assert!(again.is_empty());
        assert!(again.bytes.capacity() >= 4096, "the buffer was not reused");
        let held: Vec<Buffer> = (0..KEPT_BUFFERS + 2).map(|_| pool.take()).collect();
        drop(held);
        assert_eq!(pool.0.lock().unwrap().len(), KEPT_BUFFERS);
    }

    #[tokio::test]
    async fn bodies_are_read_whole_up_to_the_limit_and_gzip_is_sniffed() {
        let headers = HeaderMap::new();
        let read = |bytes: Vec<u8>, limit| read_json(&headers, Body::from(bytes), limit);
        assert_eq!(&*read(b"[1,2]".to_vec(), 5).await.unwrap(), b"[1,2]");
        let err = read(b"[1,2,3]".to_vec(), 5).await.unwrap_err();
        assert_eq!(err.0.code, ErrorCode::PayloadTooLarge);
        assert_eq!(&*read(gzip(b"{}"), 100).await.unwrap(), b"{}");
    }

    #[test]
    fn content_types() {
        let with = |ct: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
            check_content_type(&h).is_ok()
        };
        assert!(with("application/json"));
        assert!(with("application/json; charset=utf-8"));
        assert!(with("application/vnd.openlineage+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(check_content_type(&HeaderMap::new()).is_ok());
    }
}
