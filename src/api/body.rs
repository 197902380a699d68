//! Request bodies: content type, gzip (with or without `Content-Encoding`)
//! and the size limit, checked while decompressing so that a gzip bomb is
//! stopped at the limit instead of filling memory.

use std::io::Read;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use flate2::read::MultiGzDecoder;

use super::ApiError;
use crate::error::ErrorCode;

/// The first bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads a JSON request body: refuses other content types (415), inflates
/// gzip, and refuses bodies larger than `limit` bytes once inflated (413).
pub async fn read_json(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
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
    let raw = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit))?;
    // Older Java clients gzip without saying so: sniff the magic bytes.
    if gzip_declared || raw.starts_with(&GZIP_MAGIC) {
        inflate(&raw, limit).map(Bytes::from)
    } else {
        // No copy: a batch body can be tens of megabytes.
        Ok(raw)
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("request body exceeds the limit of {limit} bytes (after decompression)"),
    )
}

/// Inflates gzip, stopping one byte past the limit.
fn inflate(compressed: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    MultiGzDecoder::new(compressed)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| ApiError::new(ErrorCode::BadEncoding, format!("invalid gzip body: {e}")))?;
    if out.len() > limit {
        return Err(too_large(limit));
    }
    Ok(out)
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
        let err = inflate(&bomb, 1_000).unwrap_err();
        assert_eq!(err.0.code, ErrorCode::PayloadTooLarge);
        assert_eq!(inflate(&gzip(b"{}"), 1_000).unwrap(), b"{}");
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
