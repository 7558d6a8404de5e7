//! The call context, byte streams and completions of an operation.

use crate::error::{Error, Status};
use crate::sys;
use std::ffi::CStr;
use std::io;
use std::os::raw::c_void;
use std::ptr;

/// The per-call context (`kn_call_t`) handed to every slow operation.
///
/// ```
/// # use kinora_plugin::{Call, Error};
/// fn long_loop(call: &Call) -> Result<(), Error> {
///     for _chunk in 0..3 {
///         call.check()?; // KN_E_CANCELLED or KN_E_TIMEOUT once the host gives up
///     }
///     Ok(())
/// }
/// assert!(long_loop(&Call::detached()).is_ok());
/// ```
pub struct Call<'a> {
    raw: Option<&'a sys::kn_call_t>,
}

impl<'a> Call<'a> {
    /// Wraps the host's call (NULL gives a context that is never cancelled).
    ///
    /// # Safety
    /// `raw` is NULL or a valid `kn_call_t` for `'a`.
    pub unsafe fn from_raw(raw: *const sys::kn_call_t) -> Call<'a> {
        Call { raw: raw.as_ref() }
    }

    /// A context with no deadline that is never cancelled (tests, tools).
    pub fn detached() -> Call<'static> {
        Call { raw: None }
    }

    /// The correlation id for logs, when the host gave one.
    pub fn request_id(&self) -> Option<&str> {
        let raw = self.raw?;
        if raw.request_id.is_null() {
            return None;
        }
        unsafe { CStr::from_ptr(raw.request_id) }.to_str().ok()
    }

    /// The deadline in CLOCK_REALTIME nanoseconds, when there is one.
    pub fn deadline_unix_ns(&self) -> Option<i64> {
        self.raw.map(|r| r.deadline_unix_ns).filter(|&d| d != 0)
    }

    /// True when the host cancelled the call. Cheap: poll it in long loops.
    pub fn is_cancelled(&self) -> bool {
        match self.raw {
            Some(raw) => match raw.is_cancelled {
                Some(f) => unsafe { f(raw) },
                None => false,
            },
            None => false,
        }
    }

    /// `Err(CANCELLED)` when cancelled, `Err(TIMEOUT)` past the deadline, else `Ok`.
    pub fn check(&self) -> Result<(), Error> {
        if self.is_cancelled() {
            return Err(Error::cancelled("the call was cancelled"));
        }
        if let Some(deadline) = self.deadline_unix_ns() {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
            if now >= deadline.max(0) as u128 {
                return Err(Error::timeout("the call's deadline passed"));
            }
        }
        Ok(())
    }
}

/// The status a stream failed with, carried inside an `io::Error` so that `?` on a
/// [`Reader`] or [`Writer`] keeps the host's code (KN_E_CANCELLED, KN_E_IO).
#[derive(Debug)]
struct StreamFailure(Status);

impl std::fmt::Display for StreamFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stream failed: {}", self.0)
    }
}

impl std::error::Error for StreamFailure {}

fn stream_error(code: i32) -> io::Error {
    // ErrorKind::Other, never Interrupted: read_to_end would retry an Interrupted error forever.
    io::Error::new(io::ErrorKind::Other, StreamFailure(Status::from_code(code)))
}

impl From<io::Error> for Error {
    /// A stream's own failure keeps its status; any other I/O error becomes KN_E_IO.
    fn from(e: io::Error) -> Error {
        if let Some(failure) = e.get_ref().and_then(|inner| inner.downcast_ref::<StreamFailure>()) {
            return Error::new(failure.0, format!("the host's stream failed ({})", failure.0));
        }
        let detail = e.raw_os_error().unwrap_or(0);
        Error::io(e.to_string()).with_detail(detail)
    }
}

/// Bytes flowing into the plugin (`kn_reader_t`), as a `std::io::Read`.
///
/// ```
/// # use kinora_plugin::{Reader, Status, Error};
/// let mut text = Reader::from_bytes(b"hello");
/// assert_eq!(text.read_all(1024).unwrap(), b"hello");
/// let mut big = Reader::from_bytes(b"too long");
/// assert_eq!(big.read_all(3).unwrap_err().status(), Status::INVALID_ARGUMENT);
/// ```
pub struct Reader<'a> {
    raw: sys::kn_reader_t,
    // The cursor of a `from_bytes` reader; `raw.ctx` points into this box, so it must not move.
    #[allow(clippy::redundant_allocation)]
    slice_cursor: Option<Box<&'a [u8]>>,
    _borrow: std::marker::PhantomData<&'a mut ()>,
}

impl<'a> Reader<'a> {
    /// Wraps the host's reader.
    ///
    /// # Safety
    /// `raw` stays valid for `'a` (the duration of the call).
    pub unsafe fn from_raw(raw: sys::kn_reader_t) -> Reader<'a> {
        Reader { raw, slice_cursor: None, _borrow: std::marker::PhantomData }
    }

    /// A reader over a byte slice, for tests.
    pub fn from_bytes(bytes: &'a [u8]) -> Reader<'a> {
        unsafe extern "C" fn read_slice(ctx: *mut c_void, buf: *mut u8, cap: usize) -> i64 {
            let rest = &mut *(ctx as *mut &[u8]);
            let n = rest.len().min(cap);
            ptr::copy_nonoverlapping(rest.as_ptr(), buf, n);
            *rest = &rest[n..];
            n as i64
        }
        let mut cursor: Box<&'a [u8]> = Box::new(bytes);
        let ctx = &mut *cursor as *mut &[u8] as *mut c_void;
        let raw = sys::kn_reader_t { ctx, read: Some(read_slice), size_hint: bytes.len() as i64, fd: -1 };
        Reader { raw, slice_cursor: Some(cursor), _borrow: std::marker::PhantomData }
    }

    /// Total bytes when the host knows them.
    pub fn size_hint(&self) -> Option<u64> {
        if self.raw.size_hint >= 0 {
            Some(self.raw.size_hint as u64)
        } else {
            None
        }
    }

    /// The host's optional fast path: a readable regular file positioned at 0, owned by the
    /// host (never close it). Read through this `Reader` or through the fd, not both.
    pub fn raw_fd(&self) -> Option<std::os::raw::c_int> {
        if self.raw.fd >= 0 && self.slice_cursor.is_none() {
            Some(self.raw.fd)
        } else {
            None
        }
    }

    /// Reads the whole stream, refusing more than `max` bytes with KN_E_INVALID_ARGUMENT
    /// ("too large input", as the moderation interface asks). A failing stream keeps its code.
    pub fn read_all(&mut self, max: usize) -> Result<Vec<u8>, Error> {
        if self.size_hint().map_or(false, |n| n > max as u64) {
            return Err(Error::invalid_argument(format!("input is larger than {} bytes", max)));
        }
        let mut out = Vec::new();
        let mut chunk = [0u8; 16384];
        loop {
            let n = io::Read::read(self, &mut chunk)?;
            if n == 0 {
                return Ok(out);
            }
            if out.len() + n > max {
                return Err(Error::invalid_argument(format!("input is larger than {} bytes", max)));
            }
            out.extend_from_slice(&chunk[..n]);
        }
    }
}

impl io::Read for Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let read = match self.raw.read {
            Some(f) => f,
            None => return Err(stream_error(sys::KN_E_INTERNAL)),
        };
        let n = unsafe { read(self.raw.ctx, buf.as_mut_ptr(), buf.len()) };
        if n < 0 {
            Err(stream_error(n.max(i32::MIN as i64) as i32))
        } else {
            Ok((n as usize).min(buf.len()))
        }
    }
}

/// Bytes flowing out of the plugin (`kn_writer_t`), as a `std::io::Write`. Every `write`
/// hands the whole buffer to the host (which may block: backpressure).
pub struct Writer<'a> {
    raw: sys::kn_writer_t,
    _borrow: std::marker::PhantomData<&'a mut ()>,
}

impl<'a> Writer<'a> {
    /// Wraps the host's writer.
    ///
    /// # Safety
    /// `raw` stays valid for `'a` (the duration of the call).
    pub unsafe fn from_raw(raw: sys::kn_writer_t) -> Writer<'a> {
        Writer { raw, _borrow: std::marker::PhantomData }
    }
}

impl io::Write for Writer<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let write = match self.raw.write {
            Some(f) => f,
            None => return Err(stream_error(sys::KN_E_INTERNAL)),
        };
        let status = unsafe { write(self.raw.ctx, buf.as_ptr(), buf.len()) };
        if status == sys::KN_OK {
            Ok(buf.len())
        } else {
            Err(stream_error(status))
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
