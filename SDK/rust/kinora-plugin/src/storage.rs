//! `kinora.storage/1`: object storage with flat keys, whole-object puts and ranged reads.

use crate::completion::Completion;
use crate::error::Error;
use crate::io::{Call, Reader, Writer};
use crate::module::{guard, instance, Plugin, PluginClass};
use crate::sys;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_void};
use std::ptr;

/// What `put`, `get` and `stat` report about an object (`kn_object_info_t`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: i64,
    pub mtime_unix_ns: i64,
    pub etag: Option<String>,
    pub content_type: Option<String>,
}

/// One page of `list` (`kn_object_list_t`): objects in ascending bytewise key order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectList {
    pub items: Vec<ObjectInfo>,
    /// Pass to the next `list` call; None when finished.
    pub next_cursor: Option<String>,
}

/// Checks a key against the header's rules (1..1024 bytes of '/'-separated segments, none
/// empty, "." or ".."; no leading '/', NUL or '\\'). Every storage plugin must refuse other
/// keys with KN_E_INVALID_ARGUMENT; call this first in each operation.
///
/// ```
/// # use kinora_plugin::validate_key;
/// assert!(validate_key("videos/abc/original").is_ok());
/// for bad in ["", "/a", "a//b", "a/../b", "a\\b", "a/."] {
///     assert!(validate_key(bad).is_err(), "{}", bad);
/// }
/// ```
pub fn validate_key(key: &str) -> Result<(), Error> {
    let bad = key.is_empty()
        || key.len() > sys::KN_STORAGE_KEY_MAX
        || key.contains('\0')
        || key.contains('\\')
        || key.split('/').any(|s| s.is_empty() || s == "." || s == "..");
    if bad {
        Err(Error::invalid_argument(format!("invalid key {:?}", key)))
    } else {
        Ok(())
    }
}

/// The storage interface, called on host worker threads (`[blocking-ok]`, concurrently
/// unless the descriptor serializes calls). The kit completes each call with your result or
/// error (KN_E_INTERNAL if you panic). See `kinora/plugin.h` for each operation's rules.
///
/// ```
/// use kinora_plugin::*;
/// use std::io::{Read, Write};
/// use std::collections::BTreeMap;
/// use std::sync::Mutex;
///
/// struct Memory { objects: Mutex<BTreeMap<String, Vec<u8>>> }
/// impl Plugin for Memory {
///     fn create(_: Host, _: &str) -> Result<Self, Error> { Ok(Memory { objects: Mutex::new(BTreeMap::new()) }) }
/// }
/// fn info(key: &str, size: usize) -> ObjectInfo { ObjectInfo { key: key.into(), size: size as i64, ..Default::default() } }
/// impl StoragePlugin for Memory {
///     fn put(&self, _: &Call, key: &str, _: Option<&str>, body: &mut Reader) -> Result<ObjectInfo, Error> {
///         validate_key(key)?;
///         let mut bytes = Vec::new();
///         body.read_to_end(&mut bytes)?; // a failing reader keeps its status
///         let size = bytes.len();
///         self.objects.lock().unwrap().insert(key.into(), bytes);
///         Ok(info(key, size))
///     }
///     fn get(&self, _: &Call, key: &str, offset: i64, length: i64, sink: &mut Writer) -> Result<ObjectInfo, Error> {
///         validate_key(key)?;
///         let map = self.objects.lock().unwrap();
///         let bytes = map.get(key).ok_or_else(|| Error::not_found(key))?;
///         if offset < 0 || offset as usize > bytes.len() { return Err(Error::invalid_argument("offset")); }
///         let end = if length < 0 { bytes.len() } else { bytes.len().min(offset as usize + length as usize) };
///         sink.write_all(&bytes[offset as usize..end])?;
///         Ok(info(key, bytes.len()))
///     }
///     fn stat(&self, _: &Call, key: &str) -> Result<ObjectInfo, Error> {
///         validate_key(key)?;
///         self.objects.lock().unwrap().get(key).map(|b| info(key, b.len())).ok_or_else(|| Error::not_found(key))
///     }
///     fn remove(&self, _: &Call, key: &str) -> Result<(), Error> {
///         validate_key(key)?;
///         self.objects.lock().unwrap().remove(key);
///         Ok(())
///     }
///     fn list(&self, _: &Call, prefix: &str, cursor: Option<&str>, limit: u32) -> Result<ObjectList, Error> {
///         let map = self.objects.lock().unwrap();
///         let items: Vec<ObjectInfo> = map.iter()
///             .filter(|(k, _)| k.starts_with(prefix) && cursor.map_or(true, |c| k.as_str() > c))
///             .take(limit as usize).map(|(k, b)| info(k, b.len())).collect();
///         let next_cursor = if items.len() == limit as usize { items.last().map(|i| i.key.clone()) } else { None };
///         Ok(ObjectList { items, next_cursor })
///     }
/// }
/// ```
pub trait StoragePlugin: Plugin {
    /// Stores the whole of `body` under `key`, atomically.
    fn put(&self, call: &Call, key: &str, content_type: Option<&str>, body: &mut Reader) -> Result<ObjectInfo, Error>;
    /// Writes bytes [offset, offset+length) (length -1: to the end) to `sink`; reports the
    /// whole object.
    fn get(&self, call: &Call, key: &str, offset: i64, length: i64, sink: &mut Writer) -> Result<ObjectInfo, Error>;
    /// Metadata only.
    fn stat(&self, call: &Call, key: &str) -> Result<ObjectInfo, Error>;
    /// Deletes; a missing key is Ok.
    fn remove(&self, call: &Call, key: &str) -> Result<(), Error>;
    /// Up to `limit` objects under `prefix`, after `cursor`.
    fn list(&self, call: &Call, prefix: &str, cursor: Option<&str>, limit: u32) -> Result<ObjectList, Error>;
}

impl<T: StoragePlugin> PluginClass<T> {
    /// Offers `kinora.storage/1`, served by `T`'s [`StoragePlugin`] implementation.
    pub fn storage(mut self) -> Self {
        self.storage = Some(sys::kn_storage_v1_t {
            put: Some(put::<T>),
            get: Some(get::<T>),
            stat: Some(stat::<T>),
            remove: Some(remove::<T>),
            list: Some(list::<T>),
        });
        self
    }
}

/// An ObjectInfo as C strings, alive while the completion runs.
struct RawInfo {
    _strings: Vec<Option<CString>>,
    raw: sys::kn_object_info_t,
}

fn c_opt(s: Option<&str>) -> Option<CString> {
    s.map(|s| CString::new(s.replace('\0', " ")).unwrap_or_default())
}

fn raw_info(info: &ObjectInfo) -> RawInfo {
    let strings = vec![c_opt(Some(&info.key)), c_opt(info.etag.as_deref()), c_opt(info.content_type.as_deref())];
    let p = |i: usize| strings[i].as_ref().map_or(ptr::null(), |c| c.as_ptr());
    let raw = sys::kn_object_info_t { key: p(0), size: info.size, mtime_unix_ns: info.mtime_unix_ns, etag: p(1), content_type: p(2) };
    RawInfo { _strings: strings, raw }
}

unsafe fn text<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        None
    } else {
        // A key that is not UTF-8 is refused by validate_key as the empty key would be.
        Some(CStr::from_ptr(p).to_str().unwrap_or("\0"))
    }
}

fn finish_info(done: Completion, result: Result<ObjectInfo, Error>) {
    match result {
        Ok(info) => {
            let raw = raw_info(&info);
            done.succeed(&raw.raw as *const _ as *const c_void);
        }
        Err(e) => done.fail(&e),
    }
}

unsafe extern "C" fn put<T: StoragePlugin>(
    plugin: *const sys::kn_plugin_t,
    call: *const sys::kn_call_t,
    key: *const c_char,
    content_type: *const c_char,
    body: sys::kn_reader_t,
    done: sys::kn_completion_t,
) {
    let done = Completion::from_raw(done);
    let result = guard(|| {
        let mut reader = Reader::from_raw(body);
        instance::<T>(plugin).put(&Call::from_raw(call), text(key).unwrap_or(""), text(content_type), &mut reader)
    });
    finish_info(done, result);
}

unsafe extern "C" fn get<T: StoragePlugin>(
    plugin: *const sys::kn_plugin_t,
    call: *const sys::kn_call_t,
    key: *const c_char,
    offset: i64,
    length: i64,
    sink: sys::kn_writer_t,
    done: sys::kn_completion_t,
) {
    let done = Completion::from_raw(done);
    let result = guard(|| {
        let mut writer = Writer::from_raw(sink);
        instance::<T>(plugin).get(&Call::from_raw(call), text(key).unwrap_or(""), offset, length, &mut writer)
    });
    finish_info(done, result);
}

unsafe extern "C" fn stat<T: StoragePlugin>(
    plugin: *const sys::kn_plugin_t,
    call: *const sys::kn_call_t,
    key: *const c_char,
    done: sys::kn_completion_t,
) {
    let done = Completion::from_raw(done);
    let result = guard(|| instance::<T>(plugin).stat(&Call::from_raw(call), text(key).unwrap_or("")));
    finish_info(done, result);
}

unsafe extern "C" fn remove<T: StoragePlugin>(
    plugin: *const sys::kn_plugin_t,
    call: *const sys::kn_call_t,
    key: *const c_char,
    done: sys::kn_completion_t,
) {
    let done = Completion::from_raw(done);
    match guard(|| instance::<T>(plugin).remove(&Call::from_raw(call), text(key).unwrap_or(""))) {
        Ok(()) => done.succeed(ptr::null()),
        Err(e) => done.fail(&e),
    }
}

unsafe extern "C" fn list<T: StoragePlugin>(
    plugin: *const sys::kn_plugin_t,
    call: *const sys::kn_call_t,
    prefix: *const c_char,
    cursor: *const c_char,
    limit: u32,
    done: sys::kn_completion_t,
) {
    let done = Completion::from_raw(done);
    let result = guard(|| instance::<T>(plugin).list(&Call::from_raw(call), text(prefix).unwrap_or(""), text(cursor), limit));
    match result {
        Ok(page) => {
            let infos: Vec<RawInfo> = page.items.iter().map(raw_info).collect();
            let items: Vec<sys::kn_object_info_t> = infos.iter().map(|i| i.raw).collect();
            let cursor = c_opt(page.next_cursor.as_deref());
            let raw = sys::kn_object_list_t {
                items: items.as_ptr(), // never NULL, even for an empty page
                count: items.len(),
                next_cursor: cursor.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            };
            done.succeed(&raw as *const _ as *const c_void);
        }
        Err(e) => done.fail(&e),
    }
}
