//! A StoragePlugin through the raw kinora.storage/1 table: streams in and out, object info and
//! list pages as C structs, errors and the reader's own failure code.
#![allow(clippy::type_complexity)]

use kinora_plugin::sys::*;
use kinora_plugin::*;
use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::io::{Read, Write};
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::sync::Mutex;

struct Memory {
    objects: Mutex<BTreeMap<String, (Vec<u8>, Option<String>)>>,
}

impl Plugin for Memory {
    fn create(_: Host, _: &str) -> Result<Self, Error> {
        Ok(Memory { objects: Mutex::new(BTreeMap::new()) })
    }
}

fn info(key: &str, size: usize, content_type: Option<String>) -> ObjectInfo {
    ObjectInfo { key: key.into(), size: size as i64, mtime_unix_ns: 7, etag: Some(format!("e{}", size)), content_type }
}

impl StoragePlugin for Memory {
    fn put(&self, _: &Call, key: &str, content_type: Option<&str>, body: &mut Reader) -> Result<ObjectInfo, Error> {
        validate_key(key)?;
        let mut bytes = Vec::new();
        body.read_to_end(&mut bytes)?;
        let size = bytes.len();
        self.objects.lock().unwrap().insert(key.into(), (bytes, content_type.map(String::from)));
        Ok(info(key, size, content_type.map(String::from)))
    }
    fn get(&self, _: &Call, key: &str, offset: i64, length: i64, sink: &mut Writer) -> Result<ObjectInfo, Error> {
        validate_key(key)?;
        let map = self.objects.lock().unwrap();
        let (bytes, ct) = map.get(key).ok_or_else(|| Error::not_found(key))?;
        let start = offset as usize;
        let end = if length < 0 { bytes.len() } else { bytes.len().min(start + length as usize) };
        sink.write_all(&bytes[start..end])?;
        Ok(info(key, bytes.len(), ct.clone()))
    }
    fn stat(&self, _: &Call, key: &str) -> Result<ObjectInfo, Error> {
        validate_key(key)?;
        let map = self.objects.lock().unwrap();
        map.get(key).map(|(b, ct)| info(key, b.len(), ct.clone())).ok_or_else(|| Error::not_found(key))
    }
    fn remove(&self, _: &Call, key: &str) -> Result<(), Error> {
        validate_key(key)?;
        self.objects.lock().unwrap().remove(key);
        Ok(())
    }
    fn list(&self, _: &Call, prefix: &str, cursor: Option<&str>, limit: u32) -> Result<ObjectList, Error> {
        let map = self.objects.lock().unwrap();
        let items: Vec<ObjectInfo> = map
            .iter()
            .filter(|(k, _)| k.starts_with(prefix) && cursor.map_or(true, |c| k.as_str() > c))
            .take(limit as usize)
            .map(|(k, (b, ct))| info(k, b.len(), ct.clone()))
            .collect();
        let next_cursor = if items.len() == limit as usize { items.last().map(|i| i.key.clone()) } else { None };
        Ok(ObjectList { items, next_cursor })
    }
}

export_module!(|| Module::new().plugin(PluginClass::<Memory>::new(Descriptor::new("org.test.memory", "Memory")).storage()));

/// What a completion reported: status, message, and the result decoded while it was valid.
#[derive(Debug, Default)]
struct Done {
    calls: usize,
    status: i32,
    message: Option<String>,
    info: Option<(String, i64, i64, Option<String>, Option<String>)>,
    list: Option<(Vec<String>, Option<String>)>,
    want_list: bool,
}

unsafe fn opt(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        Some(CStr::from_ptr(p).to_str().unwrap().to_string())
    }
}

unsafe extern "C" fn complete(ctx: *mut c_void, status: i32, err: *const kn_error_t, result: *const c_void) {
    let done = &mut *(ctx as *mut Done);
    done.calls += 1;
    done.status = status;
    done.message = if err.is_null() { None } else { Some(Error::from_raw(&*err).message().to_string()) };
    if status == KN_OK && !result.is_null() {
        if done.want_list {
            let l = &*(result as *const kn_object_list_t);
            let keys = (0..l.count).map(|i| opt((*l.items.add(i)).key).unwrap()).collect();
            done.list = Some((keys, opt(l.next_cursor)));
        } else {
            let i = &*(result as *const kn_object_info_t);
            done.info = Some((opt(i.key).unwrap(), i.size, i.mtime_unix_ns, opt(i.etag), opt(i.content_type)));
        }
    }
}

unsafe extern "C" fn read_slice(ctx: *mut c_void, buf: *mut u8, cap: usize) -> i64 {
    let rest = &mut *(ctx as *mut &[u8]);
    let n = rest.len().min(cap).min(3); // small chunks: the kit must loop
    ptr::copy_nonoverlapping(rest.as_ptr(), buf, n);
    *rest = &rest[n..];
    n as i64
}

unsafe extern "C" fn read_fails(_: *mut c_void, _: *mut u8, _: usize) -> i64 {
    KN_E_IO as i64
}

unsafe extern "C" fn write_vec(ctx: *mut c_void, buf: *const u8, len: usize) -> i32 {
    (*(ctx as *mut Vec<u8>)).extend_from_slice(std::slice::from_raw_parts(buf, len));
    KN_OK
}

unsafe extern "C" fn write_refused(_: *mut c_void, _: *const u8, _: usize) -> i32 {
    KN_E_CANCELLED
}

#[test]
fn storage_operations_cross_the_abi_intact() {
    unsafe {
        let entry = &*kinora_module_entry_v1();
        let mut err = std::mem::zeroed::<kn_error_t>();
        assert_eq!((entry.init.unwrap())(ptr::null(), ptr::null(), &mut err), KN_OK);
        let factory = &*((entry.get_factory.unwrap())(b"kinora.plugin-factory/1\0".as_ptr() as *const c_char) as *const kn_plugin_factory_t);
        let mut plugin: *const kn_plugin_t = ptr::null();
        let id = b"org.test.memory\0".as_ptr() as *const c_char;
        assert_eq!((factory.create.unwrap())(factory, ptr::null(), id, ptr::null(), &mut plugin, &mut err), KN_OK);
        let p = &*plugin;
        assert!((p.get_interface.unwrap())(p, b"kinora.moderation/1\0".as_ptr() as *const c_char).is_null());
        let s = &*((p.get_interface.unwrap())(p, b"kinora.storage/1\0".as_ptr() as *const c_char) as *const kn_storage_v1_t);
        let call = kn_call_t { request_id: ptr::null(), deadline_unix_ns: 0, host_ctx: ptr::null_mut(), is_cancelled: None };
        let key = CString::new("videos/a/original").unwrap();
        let ct = CString::new("video/mp4").unwrap();
        let completion = |d: &mut Done| kn_completion_t { ctx: d as *mut Done as *mut c_void, complete: Some(complete) };

        let mut body: &[u8] = b"hello world";
        let reader = kn_reader_t { ctx: &mut body as *mut _ as *mut c_void, read: Some(read_slice), size_hint: 11, fd: -1 };
        let mut put = Done::default();
        (s.put.unwrap())(p, &call, key.as_ptr(), ct.as_ptr(), reader, completion(&mut put));
        assert_eq!(put.calls, 1);
        assert_eq!(put.info, Some(("videos/a/original".into(), 11, 7, Some("e11".into()), Some("video/mp4".into()))));

        let failing = kn_reader_t { ctx: ptr::null_mut(), read: Some(read_fails), size_hint: -1, fd: -1 };
        let mut failed = Done::default();
        (s.put.unwrap())(p, &call, b"x\0".as_ptr() as *const c_char, ptr::null(), failing, completion(&mut failed));
        assert_eq!((failed.calls, failed.status), (1, KN_E_IO), "the reader's code is passed on");

        let mut bad = Done::default();
        (s.stat.unwrap())(p, &call, b"a//b\0".as_ptr() as *const c_char, completion(&mut bad));
        assert_eq!(bad.status, KN_E_INVALID_ARGUMENT);
        assert_eq!(bad.message.as_deref(), Some("invalid key \"a//b\""));

        let mut out: Vec<u8> = Vec::new();
        let sink = kn_writer_t { ctx: &mut out as *mut _ as *mut c_void, write: Some(write_vec) };
        let mut got = Done::default();
        (s.get.unwrap())(p, &call, key.as_ptr(), 6, -1, sink, completion(&mut got));
        assert_eq!(out, b"world");
        assert_eq!(got.info.as_ref().map(|i| i.1), Some(11), "the info reports the whole object");
        let refused = kn_writer_t { ctx: ptr::null_mut(), write: Some(write_refused) };
        let mut cancelled = Done::default();
        (s.get.unwrap())(p, &call, key.as_ptr(), 0, -1, refused, completion(&mut cancelled));
        assert_eq!(cancelled.status, KN_E_CANCELLED);

        let second = CString::new("videos/b").unwrap();
        let mut empty: &[u8] = b"";
        let reader = kn_reader_t { ctx: &mut empty as *mut _ as *mut c_void, read: Some(read_slice), size_hint: 0, fd: -1 };
        (s.put.unwrap())(p, &call, second.as_ptr(), ptr::null(), reader, completion(&mut Done::default()));
        let mut page = Done { want_list: true, ..Done::default() };
        (s.list.unwrap())(p, &call, b"videos/\0".as_ptr() as *const c_char, ptr::null(), 1, completion(&mut page));
        assert_eq!(page.list, Some((vec!["videos/a/original".to_string()], Some("videos/a/original".to_string()))));
        let cursor = CString::new("videos/a/original").unwrap();
        let mut last = Done { want_list: true, ..Done::default() };
        (s.list.unwrap())(p, &call, b"videos/\0".as_ptr() as *const c_char, cursor.as_ptr(), 1, completion(&mut last));
        assert_eq!(last.list, Some((vec!["videos/b".to_string()], Some("videos/b".to_string()))));

        let mut removed = Done::default();
        (s.remove.unwrap())(p, &call, key.as_ptr(), completion(&mut removed));
        assert_eq!((removed.calls, removed.status), (1, KN_OK));
        let mut gone = Done::default();
        (s.stat.unwrap())(p, &call, key.as_ptr(), completion(&mut gone));
        assert_eq!(gone.status, KN_E_NOT_FOUND);

        (p.destroy.unwrap())(p);
        (entry.deinit.unwrap())();
    }
}
