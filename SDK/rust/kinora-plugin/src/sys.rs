//! Raw `#[repr(C)]` bindings of `kinora/plugin.h` (plugin ABI 1.0), written by hand.
//!
//! Every struct, typedef and constant of the header is here under its C name, so the header's
//! comments (the contract: threads, lifetimes, errors) apply word for word. The layout test
//! (`tests/layout.rs`) compiles a C program against the header and compares every size,
//! alignment and field offset with these declarations.
//!
//! Function pointers are `Option<unsafe extern "C" fn ...>`: the same size and ABI as a C
//! function pointer, with `None` for NULL. The host refuses NULL where the header does not mark
//! a pointer optional. Most plugins never use this module directly: the safe wrappers of the
//! crate root build these tables.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_void};

// ---- Versioning -------------------------------------------------------------------------

pub const KN_ABI_MAJOR: u32 = 1;
pub const KN_ABI_MINOR: u32 = 0;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct kn_version_t {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// `KN_ABI_VERSION_INIT`.
pub const KN_ABI_VERSION_INIT: kn_version_t = kn_version_t { major: KN_ABI_MAJOR, minor: KN_ABI_MINOR, patch: 0 };

// ---- Status codes and errors ------------------------------------------------------------

pub type kn_status_t = i32;

pub const KN_OK: kn_status_t = 0;
pub const KN_E_INVALID_ARGUMENT: kn_status_t = -1;
pub const KN_E_NOT_FOUND: kn_status_t = -2;
pub const KN_E_ALREADY_EXISTS: kn_status_t = -3;
pub const KN_E_PERMISSION: kn_status_t = -4;
pub const KN_E_UNAVAILABLE: kn_status_t = -5;
pub const KN_E_TIMEOUT: kn_status_t = -6;
pub const KN_E_CANCELLED: kn_status_t = -7;
pub const KN_E_UNSUPPORTED: kn_status_t = -8;
pub const KN_E_IO: kn_status_t = -9;
pub const KN_E_NO_MEMORY: kn_status_t = -10;
pub const KN_E_CONFIG: kn_status_t = -11;
pub const KN_E_INTERNAL: kn_status_t = -12;
pub const KN_E_NO_SPACE: kn_status_t = -13;

/// The header's `static inline kn_status_string`: a short English name, never empty.
pub fn kn_status_string(status: kn_status_t) -> &'static str {
    match status {
        KN_OK => "ok",
        KN_E_INVALID_ARGUMENT => "invalid argument",
        KN_E_NOT_FOUND => "not found",
        KN_E_ALREADY_EXISTS => "already exists",
        KN_E_PERMISSION => "permission denied",
        KN_E_UNAVAILABLE => "unavailable",
        KN_E_TIMEOUT => "timed out",
        KN_E_CANCELLED => "cancelled",
        KN_E_UNSUPPORTED => "unsupported",
        KN_E_IO => "I/O error",
        KN_E_NO_MEMORY => "out of memory",
        KN_E_CONFIG => "configuration error",
        KN_E_NO_SPACE => "no space left",
        _ => "internal error",
    }
}

pub const KN_ERROR_MESSAGE_MAX: usize = 512;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_error_t {
    pub code: kn_status_t,
    pub detail: i32,
    pub message: [c_char; KN_ERROR_MESSAGE_MAX],
}

// ---- Call plumbing ----------------------------------------------------------------------

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_call_t {
    pub request_id: *const c_char,
    pub deadline_unix_ns: i64,
    pub host_ctx: *mut c_void,
    pub is_cancelled: Option<unsafe extern "C" fn(call: *const kn_call_t) -> bool>,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_completion_t {
    pub ctx: *mut c_void,
    pub complete: Option<unsafe extern "C" fn(ctx: *mut c_void, status: kn_status_t, err: *const kn_error_t, result: *const c_void)>,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_reader_t {
    pub ctx: *mut c_void,
    pub read: Option<unsafe extern "C" fn(ctx: *mut c_void, buf: *mut u8, cap: usize) -> i64>,
    pub size_hint: i64,
    pub fd: c_int,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_writer_t {
    pub ctx: *mut c_void,
    pub write: Option<unsafe extern "C" fn(ctx: *mut c_void, buf: *const u8, len: usize) -> kn_status_t>,
}

// ---- The host and its services ----------------------------------------------------------

pub const KN_LOG_TRACE: i32 = 0;
pub const KN_LOG_DEBUG: i32 = 1;
pub const KN_LOG_INFO: i32 = 2;
pub const KN_LOG_WARN: i32 = 3;
pub const KN_LOG_ERROR: i32 = 4;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_host_t {
    pub abi: kn_version_t,
    pub host_data: *mut c_void,
    pub name: *const c_char,
    pub version: *const c_char,
    pub instance: *const c_char,
    pub log: Option<unsafe extern "C" fn(host: *const kn_host_t, level: i32, msg: *const c_char)>,
    pub get_service: Option<unsafe extern "C" fn(host: *const kn_host_t, service_id: *const c_char) -> *const c_void>,
}

pub const KN_HOST_METRICS_ID: &str = "kinora.host.metrics/1";
pub const KN_METRIC_COUNTER: i32 = 0;
pub const KN_METRIC_GAUGE: i32 = 1;
pub const KN_METRIC_HISTOGRAM: i32 = 2;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_host_metrics_v1_t {
    pub register_metric: Option<
        unsafe extern "C" fn(host: *const kn_host_t, kind: i32, name: *const c_char, help: *const c_char, label_names: *const *const c_char) -> u64,
    >,
    pub record: Option<unsafe extern "C" fn(host: *const kn_host_t, metric: u64, label_values: *const *const c_char, value: f64)>,
}

pub const KN_HOST_EVENTS_ID: &str = "kinora.host.events/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_host_events_v1_t {
    pub emit: Option<unsafe extern "C" fn(host: *const kn_host_t, topic: *const c_char, json: *const c_char) -> kn_status_t>,
}

pub const KN_HOST_SECRETS_ID: &str = "kinora.host.secrets/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_host_secrets_v1_t {
    pub get: Option<unsafe extern "C" fn(host: *const kn_host_t, name: *const c_char, buf: *mut u8, cap: usize, out_len: *mut usize) -> kn_status_t>,
}

// ---- Plugins, descriptors and factories -------------------------------------------------

pub const KN_PLUGIN_FLAG_SERIALIZE_CALLS: u64 = 1 << 0;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_plugin_descriptor_t {
    pub abi: kn_version_t,
    pub id: *const c_char,
    pub name: *const c_char,
    pub vendor: *const c_char,
    pub version: *const c_char,
    pub description: *const c_char,
    pub url: *const c_char,
    pub interfaces: *const *const c_char,
    pub config_schema_json: *const c_char,
    pub flags: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_plugin_t {
    pub desc: *const kn_plugin_descriptor_t,
    pub plugin_data: *mut c_void,
    pub start: Option<unsafe extern "C" fn(plugin: *const kn_plugin_t, err: *mut kn_error_t) -> kn_status_t>,
    pub stop: Option<unsafe extern "C" fn(plugin: *const kn_plugin_t)>,
    pub destroy: Option<unsafe extern "C" fn(plugin: *const kn_plugin_t)>,
    pub get_interface: Option<unsafe extern "C" fn(plugin: *const kn_plugin_t, interface_id: *const c_char) -> *const c_void>,
}

pub const KN_PLUGIN_FACTORY_ID: &str = "kinora.plugin-factory/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_plugin_factory_t {
    pub count: Option<unsafe extern "C" fn(factory: *const kn_plugin_factory_t) -> u32>,
    pub get_descriptor: Option<unsafe extern "C" fn(factory: *const kn_plugin_factory_t, index: u32) -> *const kn_plugin_descriptor_t>,
    pub create: Option<
        unsafe extern "C" fn(
            factory: *const kn_plugin_factory_t,
            host: *const kn_host_t,
            plugin_id: *const c_char,
            config_json: *const c_char,
            out: *mut *const kn_plugin_t,
            err: *mut kn_error_t,
        ) -> kn_status_t,
    >,
}

// ---- Module entry -----------------------------------------------------------------------

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_module_entry_t {
    pub abi: kn_version_t,
    pub init: Option<unsafe extern "C" fn(host: *const kn_host_t, module_path: *const c_char, err: *mut kn_error_t) -> kn_status_t>,
    pub deinit: Option<unsafe extern "C" fn()>,
    pub get_factory: Option<unsafe extern "C" fn(factory_id: *const c_char) -> *const c_void>,
}

pub const KN_ENTRY_SYMBOL: &str = "kinora_module_entry_v1";
pub type kn_module_entry_fn = Option<unsafe extern "C" fn() -> *const kn_module_entry_t>;

// ---- kinora.storage/1 -------------------------------------------------------------------

pub const KN_STORAGE_ID: &str = "kinora.storage/1";
pub const KN_STORAGE_KEY_MAX: usize = 1024;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_object_info_t {
    pub key: *const c_char,
    pub size: i64,
    pub mtime_unix_ns: i64,
    pub etag: *const c_char,
    pub content_type: *const c_char,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_object_list_t {
    pub items: *const kn_object_info_t,
    pub count: usize,
    pub next_cursor: *const c_char,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_storage_v1_t {
    pub put: Option<
        unsafe extern "C" fn(
            plugin: *const kn_plugin_t,
            call: *const kn_call_t,
            key: *const c_char,
            content_type: *const c_char,
            body: kn_reader_t,
            done: kn_completion_t,
        ),
    >,
    pub get: Option<
        unsafe extern "C" fn(
            plugin: *const kn_plugin_t,
            call: *const kn_call_t,
            key: *const c_char,
            offset: i64,
            length: i64,
            sink: kn_writer_t,
            done: kn_completion_t,
        ),
    >,
    pub stat: Option<unsafe extern "C" fn(plugin: *const kn_plugin_t, call: *const kn_call_t, key: *const c_char, done: kn_completion_t)>,
    pub remove: Option<unsafe extern "C" fn(plugin: *const kn_plugin_t, call: *const kn_call_t, key: *const c_char, done: kn_completion_t)>,
    pub list: Option<
        unsafe extern "C" fn(
            plugin: *const kn_plugin_t,
            call: *const kn_call_t,
            prefix: *const c_char,
            cursor: *const c_char,
            limit: u32,
            done: kn_completion_t,
        ),
    >,
}

pub const KN_STORAGE_PRESIGN_ID: &str = "kinora.storage.presign/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_storage_presign_v1_t {
    pub presign: Option<
        unsafe extern "C" fn(
            plugin: *const kn_plugin_t,
            key: *const c_char,
            method: *const c_char,
            ttl_seconds: i64,
            url_buf: *mut c_char,
            cap: usize,
            err: *mut kn_error_t,
        ) -> kn_status_t,
    >,
}

pub const KN_STORAGE_LOCALFILE_ID: &str = "kinora.storage.localfile/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_storage_localfile_v1_t {
    pub local_path: Option<
        unsafe extern "C" fn(plugin: *const kn_plugin_t, key: *const c_char, path_buf: *mut c_char, cap: usize, err: *mut kn_error_t) -> kn_status_t,
    >,
}

// ---- kinora.packager/1 ------------------------------------------------------------------

pub const KN_PACKAGER_ID: &str = "kinora.packager/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_manifest_file_t {
    pub name: *const c_char,
    pub media_type: *const c_char,
    pub data: *const u8,
    pub size: usize,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_manifest_set_t {
    pub files: *const kn_manifest_file_t,
    pub count: usize,
    pub entry: *const c_char,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_packager_v1_t {
    pub package:
        Option<unsafe extern "C" fn(plugin: *const kn_plugin_t, call: *const kn_call_t, presentation_json: *const c_char, done: kn_completion_t)>,
}

// ---- kinora.packager.growing/1 (optional beside kinora.packager/1) ----------------------

pub const KN_PACKAGER_GROWING_ID: &str = "kinora.packager.growing/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_packager_growing_v1_t {
    pub package_growing:
        Option<unsafe extern "C" fn(plugin: *const kn_plugin_t, call: *const kn_call_t, presentation_json: *const c_char, done: kn_completion_t)>,
}

// ---- kinora.moderation/1 ----------------------------------------------------------------

pub const KN_MODERATION_ID: &str = "kinora.moderation/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_moderation_v1_t {
    pub classify: Option<
        unsafe extern "C" fn(
            plugin: *const kn_plugin_t,
            call: *const kn_call_t,
            media_type: *const c_char,
            media: kn_reader_t,
            done: kn_completion_t,
        ),
    >,
}

// ---- kinora.moderation.feedback/1 (optional beside kinora.moderation/1) ----------------

pub const KN_MODERATION_FEEDBACK_ID: &str = "kinora.moderation.feedback/1";
pub const KN_FEEDBACK_CLEAN: &str = "clean";
pub const KN_FEEDBACK_VIOLATION: &str = "violation";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_moderation_feedback_v1_t {
    pub feedback: Option<
        unsafe extern "C" fn(
            plugin: *const kn_plugin_t,
            call: *const kn_call_t,
            media_type: *const c_char,
            content: kn_reader_t,
            label: *const c_char,
            decision_json: *const c_char,
            done: kn_completion_t,
        ),
    >,
}

// ---- kinora.notify/1 --------------------------------------------------------------------

pub const KN_NOTIFY_ID: &str = "kinora.notify/1";
pub const KN_NOTIFY_DELIVERED: &str = "delivered";
pub const KN_NOTIFY_RETRYABLE: &str = "retryable";
pub const KN_NOTIFY_PERMANENT: &str = "permanent";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct kn_notify_v1_t {
    pub address_kind: Option<unsafe extern "C" fn(plugin: *const kn_plugin_t) -> *const c_char>,
    pub send: Option<unsafe extern "C" fn(plugin: *const kn_plugin_t, call: *const kn_call_t, message_json: *const c_char, done: kn_completion_t)>,
    /// Optional: None when the provider calls nothing back.
    pub parse_callback:
        Option<unsafe extern "C" fn(plugin: *const kn_plugin_t, call: *const kn_call_t, request_json: *const c_char, done: kn_completion_t)>,
    /// Optional: None when the channel has nothing to tell clients. A JSON object of public
    /// values, valid until stop().
    pub channel_info: Option<unsafe extern "C" fn(plugin: *const kn_plugin_t) -> *const c_char>,
}
