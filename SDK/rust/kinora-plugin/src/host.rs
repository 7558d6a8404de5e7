//! The host as a plugin sees it: identity, logging, secrets, metrics and events.

use crate::error::{Error, Status};
use crate::sys;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::ptr;

/// Log levels of `kn_host_t.log`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Trace = sys::KN_LOG_TRACE as isize,
    Debug = sys::KN_LOG_DEBUG as isize,
    Info = sys::KN_LOG_INFO as isize,
    Warn = sys::KN_LOG_WARN as isize,
    Error = sys::KN_LOG_ERROR as isize,
}

/// A handle on a `kn_host_t`: the module-level host (given to the module's init hook) or
/// an instance's host (given to [`crate::Plugin::create`], which tags logs and metrics with the
/// instance). It is `Copy` and may be kept and used from any thread: the header keeps every
/// `kn_host_t` valid until the module's deinit().
///
/// ```no_run
/// # use kinora_plugin::{Host, Level};
/// fn report(host: Host) {
///     host.info("connected");
///     host.log(Level::Warn, "bucket is almost full");
///     let token = host.secret("api-token"); // Err(NOT_FOUND) when the operator set none
///     # let _ = token;
/// }
/// ```
#[derive(Clone, Copy)]
pub struct Host {
    raw: *const sys::kn_host_t,
}

unsafe impl Send for Host {}
unsafe impl Sync for Host {}

fn c_text(text: &str) -> CString {
    // Interior NULs would cut the text short in C: show them as spaces instead.
    CString::new(text.replace('\0', " ")).unwrap_or_default()
}

unsafe fn opt_str<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        None
    } else {
        CStr::from_ptr(p).to_str().ok()
    }
}

impl Host {
    /// Wraps a host pointer the host passed in.
    ///
    /// # Safety
    /// `raw` is a `kn_host_t` from the host (valid until deinit()), or NULL (every call is
    /// then a no-op, which helps unit tests).
    pub unsafe fn from_raw(raw: *const sys::kn_host_t) -> Host {
        Host { raw }
    }

    /// The raw pointer, for calling host functions the wrappers do not cover.
    pub fn as_raw(&self) -> *const sys::kn_host_t {
        self.raw
    }

    fn get(&self) -> Option<&sys::kn_host_t> {
        unsafe { self.raw.as_ref() }
    }

    /// The host's ABI version.
    pub fn abi(&self) -> sys::kn_version_t {
        self.get().map(|h| h.abi).unwrap_or_default()
    }

    /// "kinora".
    pub fn name(&self) -> Option<&str> {
        self.get().and_then(|h| unsafe { opt_str(h.name) })
    }

    /// The daemon's version, e.g. "0.1.0".
    pub fn version(&self) -> Option<&str> {
        self.get().and_then(|h| unsafe { opt_str(h.version) })
    }

    /// The instance name ("media" for plugins.d/media.toml); None for the module-level host.
    pub fn instance(&self) -> Option<&str> {
        self.get().and_then(|h| unsafe { opt_str(h.instance) })
    }

    /// Logs `message` (never a secret). Never blocks.
    pub fn log(&self, level: Level, message: &str) {
        if let Some(h) = self.get() {
            if let Some(log) = h.log {
                let text = c_text(message);
                unsafe { log(self.raw, level as i32, text.as_ptr()) };
            }
        }
    }

    pub fn debug(&self, message: &str) {
        self.log(Level::Debug, message)
    }

    pub fn info(&self, message: &str) {
        self.log(Level::Info, message)
    }

    pub fn warn(&self, message: &str) {
        self.log(Level::Warn, message)
    }

    pub fn error(&self, message: &str) {
        self.log(Level::Error, message)
    }

    /// The function table of a host service (`sys::KN_HOST_SECRETS_ID`...), or NULL.
    pub fn service(&self, service_id: &str) -> *const std::os::raw::c_void {
        let h = match self.get() {
            Some(h) => h,
            None => return ptr::null(),
        };
        match h.get_service {
            Some(get) => {
                let id = c_text(service_id);
                unsafe { get(self.raw, id.as_ptr()) }
            }
            None => ptr::null(),
        }
    }

    /// The secret `name`. NOT_FOUND when unknown, UNSUPPORTED when the host offers no secrets.
    /// Grows its buffer when the host says it is too small.
    pub fn secret(&self, name: &str) -> Result<Vec<u8>, Error> {
        let table = self.service(sys::KN_HOST_SECRETS_ID) as *const sys::kn_host_secrets_v1_t;
        let get = match unsafe { table.as_ref() }.and_then(|t| t.get) {
            Some(get) => get,
            None => return Err(Error::unsupported("the host offers no secrets service")),
        };
        let c_name = c_text(name);
        let mut buf = vec![0u8; 256];
        for _ in 0..3 {
            let mut len = 0usize;
            let status = unsafe { get(self.raw, c_name.as_ptr(), buf.as_mut_ptr(), buf.len(), &mut len) };
            match status {
                sys::KN_OK => {
                    buf.truncate(len.min(buf.len()));
                    return Ok(buf);
                }
                sys::KN_E_INVALID_ARGUMENT if len > buf.len() => buf.resize(len, 0),
                code => return Err(Error::new(Status::from_code(code), format!("secret {:?}", name))),
            }
        }
        Err(Error::internal(format!("secret {:?}: the host kept asking for a bigger buffer", name)))
    }

    /// Registers a metric (only from create(), start() or the init hook: `[main]`). The host
    /// prefixes `name` with "kinora_plugin_". None when refused (bad name, kind clash) or when
    /// the host has no metrics service.
    pub fn register_metric(&self, kind: MetricKind, name: &str, help: &str, label_names: &[&str]) -> Option<Metric> {
        let table = self.service(sys::KN_HOST_METRICS_ID) as *const sys::kn_host_metrics_v1_t;
        let table = unsafe { table.as_ref() }?;
        let register = table.register_metric?;
        let (c_name, c_help) = (c_text(name), c_text(help));
        let labels: Vec<CString> = label_names.iter().map(|l| c_text(l)).collect();
        let mut label_ptrs: Vec<*const c_char> = labels.iter().map(|l| l.as_ptr()).collect();
        label_ptrs.push(ptr::null());
        let names = if label_names.is_empty() { ptr::null() } else { label_ptrs.as_ptr() };
        let handle = unsafe { register(self.raw, kind as i32, c_name.as_ptr(), c_help.as_ptr(), names) };
        if handle == 0 {
            None
        } else {
            Some(Metric { host: *self, table, handle, arity: label_names.len() })
        }
    }

    /// Emits an event on the daemon's bus (`json` must be a JSON object).
    pub fn emit(&self, topic: &str, json: &str) -> Result<(), Error> {
        let table = self.service(sys::KN_HOST_EVENTS_ID) as *const sys::kn_host_events_v1_t;
        let emit = match unsafe { table.as_ref() }.and_then(|t| t.emit) {
            Some(emit) => emit,
            None => return Err(Error::unsupported("the host offers no events service")),
        };
        let (c_topic, c_json) = (c_text(topic), c_text(json));
        match unsafe { emit(self.raw, c_topic.as_ptr(), c_json.as_ptr()) } {
            sys::KN_OK => Ok(()),
            code => Err(Error::new(Status::from_code(code), format!("event {}", topic))),
        }
    }
}

/// `KN_METRIC_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    Counter = sys::KN_METRIC_COUNTER as isize,
    Gauge = sys::KN_METRIC_GAUGE as isize,
    /// Values in seconds.
    Histogram = sys::KN_METRIC_HISTOGRAM as isize,
}

/// A registered metric. Record from any thread.
///
/// ```no_run
/// # use kinora_plugin::{Host, MetricKind};
/// # fn f(host: Host) {
/// if let Some(hits) = host.register_metric(MetricKind::Counter, "keyword_hits_total", "Texts flagged", &["label"]) {
///     hits.record(&["keywords"], 1.0); // exported as kinora_plugin_keyword_hits_total
/// }
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct Metric {
    host: Host,
    table: *const sys::kn_host_metrics_v1_t,
    handle: u64,
    arity: usize,
}

unsafe impl Send for Metric {}
unsafe impl Sync for Metric {}

impl Metric {
    /// Counter: adds `value`; gauge: sets it; histogram: records it. `label_values` must have
    /// the registration's arity; a mismatch is ignored rather than sent to the host.
    pub fn record(&self, label_values: &[&str], value: f64) {
        if label_values.len() != self.arity {
            return;
        }
        let record = match unsafe { (*self.table).record } {
            Some(r) => r,
            None => return,
        };
        let values: Vec<CString> = label_values.iter().map(|v| c_text(v)).collect();
        let ptrs: Vec<*const c_char> = values.iter().map(|v| v.as_ptr()).collect();
        let arg = if ptrs.is_empty() { ptr::null() } else { ptrs.as_ptr() };
        unsafe { record(self.host.raw, self.handle, arg, value) };
    }
}
