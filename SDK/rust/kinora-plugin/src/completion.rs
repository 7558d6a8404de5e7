//! `kn_completion_t` as a value that completes exactly once.

use crate::error::{Error, Status};
use crate::sys;
use std::os::raw::c_void;

/// The completion of one operation. Consuming methods make a second completion impossible,
/// and dropping a `Completion` that was never completed reports KN_E_INTERNAL, so the host's
/// awaiting task never hangs. It is `Send`: a plugin may complete from another thread.
///
/// The storage and moderation traits complete for you; use this type when you implement an
/// interface table by hand with [`crate::sys`].
///
/// ```
/// # use kinora_plugin::{Completion, Error, sys};
/// # use std::os::raw::c_void;
/// unsafe extern "C" fn record(ctx: *mut c_void, status: i32, err: *const sys::kn_error_t, _r: *const c_void) {
///     let got = &mut *(ctx as *mut Vec<(i32, String)>);
///     let text = if err.is_null() { String::new() } else { Error::from_raw(&*err).message().to_string() };
///     got.push((status, text));
/// }
/// let mut got: Vec<(i32, String)> = Vec::new();
/// let raw = sys::kn_completion_t { ctx: &mut got as *mut _ as *mut c_void, complete: Some(record) };
/// let done = unsafe { Completion::from_raw(raw) };
/// done.fail(&Error::not_found("no such key"));
/// assert_eq!(got, vec![(-2, "no such key".to_string())]);
/// ```
pub struct Completion {
    raw: sys::kn_completion_t,
    done: bool,
}

// The header allows invoking a completion from any thread.
unsafe impl Send for Completion {}

impl Completion {
    /// Wraps the host's completion.
    ///
    /// # Safety
    /// `raw` is the completion of a call in progress, not yet invoked.
    pub unsafe fn from_raw(raw: sys::kn_completion_t) -> Completion {
        Completion { raw, done: false }
    }

    /// Completes with KN_OK and `result` (its type is documented per operation; it only has
    /// to stay valid during this call).
    pub fn succeed(mut self, result: *const c_void) {
        self.invoke(sys::KN_OK, std::ptr::null(), result);
    }

    /// Completes with the error's status and message.
    pub fn fail(mut self, error: &Error) {
        let raw = error.to_raw();
        self.invoke(error.status().code(), &raw, std::ptr::null());
    }

    /// Completes with a bare status and no message (the header allows `err` = NULL; the host
    /// then shows the status name). `Status::OK` becomes INTERNAL: success needs `succeed`.
    pub fn fail_status(mut self, status: Status) {
        let code = if status == Status::OK { sys::KN_E_INTERNAL } else { status.code() };
        self.invoke(code, std::ptr::null(), std::ptr::null());
    }

    fn invoke(&mut self, status: i32, err: *const sys::kn_error_t, result: *const c_void) {
        if self.done {
            return;
        }
        self.done = true;
        if let Some(complete) = self.raw.complete {
            unsafe { complete(self.raw.ctx, status, err, result) };
        }
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        if !self.done {
            let why = if std::thread::panicking() {
                "the plugin panicked before completing the call"
            } else {
                "the plugin dropped the call without completing it"
            };
            let raw = Error::internal(why).to_raw();
            self.invoke(sys::KN_E_INTERNAL, &raw, std::ptr::null());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" fn count(ctx: *mut c_void, status: i32, err: *const sys::kn_error_t, _r: *const c_void) {
        let calls = &mut *(ctx as *mut Vec<(i32, bool)>);
        calls.push((status, err.is_null()));
    }

    fn completion(calls: &mut Vec<(i32, bool)>) -> Completion {
        unsafe { Completion::from_raw(sys::kn_completion_t { ctx: calls as *mut _ as *mut c_void, complete: Some(count) }) }
    }

    #[test]
    fn success_passes_no_error() {
        let mut calls = Vec::new();
        completion(&mut calls).succeed(std::ptr::null());
        assert_eq!(calls, vec![(0, true)]);
    }

    #[test]
    fn a_dropped_completion_reports_internal_exactly_once() {
        let mut calls = Vec::new();
        drop(completion(&mut calls));
        assert_eq!(calls, vec![(sys::KN_E_INTERNAL, false)]);
    }

    #[test]
    fn a_bare_status_has_a_null_error() {
        let mut calls = Vec::new();
        completion(&mut calls).fail_status(Status::UNSUPPORTED);
        completion(&mut calls).fail_status(Status::OK);
        assert_eq!(calls, vec![(sys::KN_E_UNSUPPORTED, true), (sys::KN_E_INTERNAL, true)]);
    }
}
