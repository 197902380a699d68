//! The one table of stable error codes shared by every interface.
//!
//! Each failure a user can cause maps to an [`ErrorCode`]: a snake_case code
//! that never changes meaning, and the HTTP status it is answered with. REST
//! bodies are `{"code", "message"}`; GraphQL and SPARQL answers will carry the
//! same codes, so a client can branch on `code` whichever door it came in by.

use serde::Serialize;

/// A stable, client-visible error category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The body is not well-formed JSON (or not JSON at all).
    MalformedJson,
    /// A well-formed document misses a required field or has one of the wrong type.
    InvalidEvent,
    /// A query parameter is missing or cannot be parsed.
    InvalidParameter,
    /// The body, after decompression, is larger than the configured limit.
    PayloadTooLarge,
    /// The request's `Content-Type` is not one this endpoint reads.
    UnsupportedMediaType,
    /// The body could not be read (a broken chunked transfer) or a gzip
    /// body could not be decompressed.
    BadEncoding,
    /// A write came without the configured API key.
    Unauthorized,
    /// The namespace, dataset, job, run or node does not exist.
    NotFound,
    /// The path exists but does not take this HTTP method.
    MethodNotAllowed,
    /// The server is shutting down and takes no more writes.
    Unavailable,
    /// A SPARQL query or update does not parse, or a GraphQL query does not
    /// parse or does not fit the schema (unknown field, wrong argument type).
    MalformedQuery,
    /// A GraphQL query is nested deeper, or would cost more, than the
    /// server's limits allow.
    QueryTooComplex,
    /// An RDF document does not parse (the message names line and column).
    MalformedRdf,
    /// None of the media types the `Accept` header allows can express the answer.
    NotAcceptable,
    /// The request is understood but refused (a `SERVICE` outside the
    /// allow-list, a `LOAD` in an update).
    Forbidden,
    /// A query ran longer than the configured timeout and was cancelled.
    QueryTimeout,
    /// A SPARQL update parsed but failed while running (e.g. `CREATE GRAPH`
    /// of a graph that exists); none of it was applied.
    UpdateFailed,
    /// Something failed inside meshgraph; details are in the server log only.
    Internal,
}

impl ErrorCode {
    /// The code as it appears in error bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::InvalidEvent => "invalid_event",
            Self::InvalidParameter => "invalid_parameter",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::BadEncoding => "bad_encoding",
            Self::Unauthorized => "unauthorized",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unavailable => "unavailable",
            Self::MalformedQuery => "malformed_query",
            Self::QueryTooComplex => "query_too_complex",
            Self::MalformedRdf => "malformed_rdf",
            Self::NotAcceptable => "not_acceptable",
            Self::Forbidden => "forbidden",
            Self::QueryTimeout => "query_timeout",
            Self::UpdateFailed => "update_failed",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status this code is answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::MalformedJson
            | Self::InvalidParameter
            | Self::BadEncoding
            | Self::MalformedQuery
            | Self::QueryTooComplex
            | Self::MalformedRdf
            | Self::UpdateFailed => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::NotAcceptable => 406,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::InvalidEvent => 422,
            Self::Internal => 500,
            Self::Unavailable | Self::QueryTimeout => 503,
        }
    }
}

/// An error a user can see: a code from the table and a message naming the
/// offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    /// The stable category.
    pub code: ErrorCode,
    /// A human-readable explanation, safe to show to the client.
    pub message: String,
}

impl UserError {
    /// Builds an error from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_string() {
        for code in [
            ErrorCode::MalformedJson,
            ErrorCode::InvalidEvent,
            ErrorCode::InvalidParameter,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::BadEncoding,
            ErrorCode::Unauthorized,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::Unavailable,
            ErrorCode::MalformedQuery,
            ErrorCode::QueryTooComplex,
            ErrorCode::MalformedRdf,
            ErrorCode::NotAcceptable,
            ErrorCode::Forbidden,
            ErrorCode::QueryTimeout,
            ErrorCode::UpdateFailed,
            ErrorCode::Internal,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::from(code.as_str())
            );
        }
    }
}
