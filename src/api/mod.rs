//! The UCloud API: parameter encoding, request signing, the HTTP client and the
//! typed IAM actions ucam uses.

pub mod client;
pub mod error;
pub mod iam;
pub mod params;
pub mod retry;
pub mod signature;

pub use client::{ApiResponse, Client, ClientConfig};
pub use error::ApiError;
pub use iam::{LoginProfile, LoginProfileChange, ProfileStatus, User, UserPage};
pub use params::Params;
pub use retry::RetryPolicy;
