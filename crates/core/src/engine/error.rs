//! The engine's error: one code to branch on, one message for a person, never a secret.
//!
//! The messages are shown by the desktop app and the command line alike, so they name no
//! command-line syntax and no screen of the app: each shell adds its own hint, chosen by the
//! variant (the CLI in `crates/cli/src/main.rs`, the app in `ui/src/lib/errors.ts`), and maps
//! the code to its own outcome (the CLI's exit codes).

use crate::api::{ErrorCode, Field, IpcError};
use crate::clients::ClientSetupError;
use crate::secrets::{SecretKind, SecretsError};
use crate::store::StoreError;

/// What went wrong, in plain words, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{message}")]
    InvalidInput {
        message: String,
        field: Option<Field>,
    },
    #[error("There is no connection named {}.", crate::quote::quoted(name))]
    ConnectionNotFound { name: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error(
        "A sync is already running for {0}. Wait for it to finish (a sync in this window \
         shows its progress on the dashboard), then try again."
    )]
    Busy(String),
    #[error("No {} is saved for \"{connection}\" yet.", .kind.label())]
    SecretMissing {
        connection: String,
        kind: SecretKind,
    },
    #[error("{0}")]
    Keychain(#[from] SecretsError),
    #[error("{0}")]
    Credentials(String),
    /// A sign-in with Namely refused, pointing at the input to fix (the client secret).
    #[error("{message}")]
    SignInRefused { message: String, field: Field },
    #[error("{0}")]
    Network(String),
    #[error("The local database failed: {0}")]
    Storage(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl EngineError {
    pub fn invalid(message: impl Into<String>, field: Option<Field>) -> Self {
        EngineError::InvalidInput {
            message: message.into(),
            field,
        }
    }

    pub fn secret_missing(connection: &str, kind: SecretKind) -> Self {
        EngineError::SecretMissing {
            connection: connection.to_string(),
            kind,
        }
    }

    /// The code the desktop interface branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            EngineError::InvalidInput { .. } => ErrorCode::InvalidInput,
            EngineError::ConnectionNotFound { .. } | EngineError::NotFound(_) => {
                ErrorCode::NotFound
            }
            EngineError::AlreadyExists(_) => ErrorCode::AlreadyExists,
            EngineError::Busy(_) => ErrorCode::Busy,
            EngineError::SecretMissing { .. } => ErrorCode::SecretMissing,
            EngineError::Keychain(_) => ErrorCode::Keychain,
            EngineError::Credentials(_) | EngineError::SignInRefused { .. } => {
                ErrorCode::Credentials
            }
            EngineError::Network(_) => ErrorCode::Network,
            // Another icims-namely holding the database is the same as a sync already
            // running: try again when it is done.
            EngineError::Storage(StoreError::InUse { .. }) => ErrorCode::Busy,
            EngineError::Storage(_) => ErrorCode::Storage,
            EngineError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The field of the form the error concerns, if any.
    pub fn field(&self) -> Option<Field> {
        match self {
            EngineError::InvalidInput { field, .. } => field.clone(),
            EngineError::SignInRefused { field, .. } => Some(field.clone()),
            _ => None,
        }
    }

    pub fn to_ipc(&self) -> IpcError {
        IpcError {
            code: self.code(),
            message: self.to_string(),
            field: self.field(),
        }
    }
}

impl From<EngineError> for IpcError {
    fn from(e: EngineError) -> Self {
        e.to_ipc()
    }
}

impl From<ClientSetupError> for EngineError {
    fn from(e: ClientSetupError) -> Self {
        match e {
            ClientSetupError::IcimsNotConfigured => {
                EngineError::invalid(e.to_string(), Some(Field::IcimsCustomerId))
            }
            ClientSetupError::NamelyConfig(ref c) => {
                let field = if matches!(c, namely::ConfigError::Permalink(_)) {
                    Field::NamelyPermalink
                } else {
                    Field::NamelyToken
                };
                EngineError::invalid(c.to_string(), Some(field))
            }
            ClientSetupError::Icims(err) => EngineError::invalid(err.to_string(), None),
            ClientSetupError::Namely(err) => EngineError::invalid(err.to_string(), None),
        }
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;
