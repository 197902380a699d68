//! Errors as HTTP answers: JSON `{code, message}` with the status of the code.

use std::fmt::Display;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::{ErrorCode, UserError};

/// An error answered to the client.
#[derive(Debug)]
pub struct ApiError(pub UserError);

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(UserError::new(code, message))
    }

    /// 404 with a message naming what was not found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// 400 for a bad query parameter.
    pub fn bad_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameter, message)
    }

    /// A 5xx: the client sees a generic message, the log gets the details once.
    pub fn internal(err: impl Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(ErrorCode::Internal, "internal error; see the server log")
    }
}

impl From<UserError> for ApiError {
    fn from(err: UserError) -> Self {
        Self(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({ "code": self.0.code.as_str(), "message": self.0.message });
        let mut response = (status, Json(body)).into_response();
        if self.0.code == ErrorCode::Unauthorized {
            // RFC 9110 section 11.6.1: a 401 names the scheme to use.
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
