//! Status codes and errors: [`Status`] names a `kn_status_t`, [`Error`] is what a plugin
//! returns on failure and what the kit copies into the host's `kn_error_t`.

use crate::sys;
use std::fmt;
use std::os::raw::c_char;

/// A `kn_status_t`: `Status::OK` or one of the negative `KN_E_*` codes.
///
/// ```
/// use kinora_plugin::Status;
/// assert_eq!(Status::NOT_FOUND.code(), -2);
/// assert_eq!(Status::NOT_FOUND.name(), "not found");
/// assert_eq!(Status::from_code(42), Status::INTERNAL); // positive codes are reserved
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Status(i32);

impl Status {
    pub const OK: Status = Status(sys::KN_OK);
    pub const INVALID_ARGUMENT: Status = Status(sys::KN_E_INVALID_ARGUMENT);
    pub const NOT_FOUND: Status = Status(sys::KN_E_NOT_FOUND);
    pub const ALREADY_EXISTS: Status = Status(sys::KN_E_ALREADY_EXISTS);
    pub const PERMISSION: Status = Status(sys::KN_E_PERMISSION);
    pub const UNAVAILABLE: Status = Status(sys::KN_E_UNAVAILABLE);
    pub const TIMEOUT: Status = Status(sys::KN_E_TIMEOUT);
    pub const CANCELLED: Status = Status(sys::KN_E_CANCELLED);
    pub const UNSUPPORTED: Status = Status(sys::KN_E_UNSUPPORTED);
    pub const IO: Status = Status(sys::KN_E_IO);
    pub const NO_MEMORY: Status = Status(sys::KN_E_NO_MEMORY);
    pub const CONFIG: Status = Status(sys::KN_E_CONFIG);
    pub const INTERNAL: Status = Status(sys::KN_E_INTERNAL);
    pub const NO_SPACE: Status = Status(sys::KN_E_NO_SPACE);

    /// The status for a raw code. Codes the header does not define (positive ones included)
    /// become `INTERNAL`, as the host treats them.
    pub fn from_code(code: i32) -> Status {
        if (sys::KN_E_NO_SPACE..=sys::KN_OK).contains(&code) {
            Status(code)
        } else {
            Status::INTERNAL
        }
    }

    /// The raw `kn_status_t`.
    pub fn code(self) -> i32 {
        self.0
    }

    /// The header's `kn_status_string`: "ok", "not found", ...
    pub fn name(self) -> &'static str {
        sys::kn_status_string(self.0)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failure to report to the host: a status, an optional detail (errno, HTTP status, vendor
/// code) and a message for the operator. Never put secrets in the message.
///
/// ```
/// use kinora_plugin::{Error, Status};
/// let e = Error::config("words: expected an array").with_detail(7);
/// assert_eq!(e.status(), Status::CONFIG);
/// assert_eq!(e.to_string(), "configuration error: words: expected an array");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    status: Status,
    detail: i32,
    message: String,
}

macro_rules! shortcut {
    ($($fn_name:ident => $status:ident),* $(,)?) => {
        $(
            #[doc = concat!("An error with `Status::", stringify!($status), "`.")]
            pub fn $fn_name(message: impl Into<String>) -> Error {
                Error::new(Status::$status, message)
            }
        )*
    };
}

impl Error {
    /// An error with `status` and `message`. `Status::OK` is not a failure and becomes
    /// `INTERNAL`, so a completion never reports success by mistake.
    pub fn new(status: Status, message: impl Into<String>) -> Error {
        let status = if status == Status::OK { Status::INTERNAL } else { status };
        Error { status, detail: 0, message: message.into() }
    }

    shortcut! {
        invalid_argument => INVALID_ARGUMENT, not_found => NOT_FOUND, already_exists => ALREADY_EXISTS,
        permission => PERMISSION, unavailable => UNAVAILABLE, timeout => TIMEOUT, cancelled => CANCELLED,
        unsupported => UNSUPPORTED, io => IO, no_memory => NO_MEMORY, config => CONFIG, internal => INTERNAL,
        no_space => NO_SPACE,
    }

    /// Sets the optional detail code (errno, HTTP status, vendor code).
    pub fn with_detail(mut self, detail: i32) -> Error {
        self.detail = detail;
        self
    }

    pub fn status(&self) -> Status {
        self.status
    }

    pub fn detail(&self) -> i32 {
        self.detail
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// Copies this error into a host-owned `kn_error_t` (the kit does this for you). The
    /// message is cut to fit `KN_ERROR_MESSAGE_MAX - 1` bytes on a character boundary, so it
    /// stays valid UTF-8, and NUL bytes inside it become spaces. A NULL `err` is ignored.
    ///
    /// # Safety
    /// `err` is NULL or points to a writable `kn_error_t`.
    pub unsafe fn fill(&self, err: *mut sys::kn_error_t) {
        if err.is_null() {
            return;
        }
        (*err).code = self.status.code();
        (*err).detail = self.detail;
        copy_message(&mut (*err).message, &self.message);
    }

    /// A zeroed `kn_error_t` holding this error, for a completion's `err` argument.
    pub fn to_raw(&self) -> sys::kn_error_t {
        let mut raw = sys::kn_error_t { code: 0, detail: 0, message: [0; sys::KN_ERROR_MESSAGE_MAX] };
        unsafe { self.fill(&mut raw) };
        raw
    }

    /// Reads an error out of a `kn_error_t` (for tests and hosts written in Rust).
    pub fn from_raw(raw: &sys::kn_error_t) -> Error {
        let bytes: Vec<u8> = raw.message.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        let message = String::from_utf8_lossy(&bytes).into_owned();
        Error::new(Status::from_code(raw.code), message).with_detail(raw.detail)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl std::error::Error for Error {}

/// Copies `message` into `dst`, NUL-terminated, cut on a UTF-8 boundary.
fn copy_message(dst: &mut [c_char], message: &str) {
    let mut end = message.len().min(dst.len() - 1);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    for (slot, &byte) in dst.iter_mut().zip(message.as_bytes()[..end].iter()) {
        *slot = if byte == 0 { b' ' as c_char } else { byte as c_char };
    }
    dst[end] = 0;
}

/// The text of a caught panic, for the KN_E_INTERNAL message.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    };
    format!("the plugin panicked: {}", text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        // 'é' is two bytes: 511 bytes of budget would split the 256th one.
        let long = "é".repeat(300);
        let raw = Error::io(long).to_raw();
        let back = Error::from_raw(&raw);
        assert_eq!(back.message(), "é".repeat(255));
        assert_eq!(raw.message[510], 0);
        assert_eq!(raw.code, sys::KN_E_IO);
    }

    #[test]
    fn nul_bytes_do_not_cut_the_message_short() {
        let raw = Error::invalid_argument("a\0b").to_raw();
        assert_eq!(Error::from_raw(&raw).message(), "a b");
    }

    #[test]
    fn ok_is_never_a_failure_and_unknown_codes_are_internal() {
        assert_eq!(Error::new(Status::OK, "x").status(), Status::INTERNAL);
        assert_eq!(Status::from_code(-99), Status::INTERNAL);
        assert_eq!(Status::from_code(-13), Status::NO_SPACE);
        unsafe { Error::io("x").fill(std::ptr::null_mut()) };
    }
}
