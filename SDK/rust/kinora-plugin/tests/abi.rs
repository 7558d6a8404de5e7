//! Drives a module built with the kit through the raw ABI, the way the daemon does: entry,
//! init, factory, descriptor, create, get_interface, operations with completions, stop,
//! destroy, deinit. One test function, because the module state is per process.

use kinora_plugin::sys::*;
use kinora_plugin::*;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::sync::Mutex;

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Flagger {
    word: String,
    host: Host,
    // Texts moderators removed: flagged from then on (the feedback interface).
    learnt: Mutex<Vec<String>>,
}

impl Plugin for Flagger {
    fn create(host: Host, config_json: &str) -> Result<Self, Error> {
        let settings = json::parse(config_json).map_err(Error::config)?;
        let word = settings.get("word").and_then(|w| w.as_str()).ok_or_else(|| Error::config("word: missing"))?;
        if word == "boom" {
            panic!("create exploded");
        }
        Ok(Flagger { word: word.to_string(), host, learnt: Mutex::new(Vec::new()) })
    }
    fn start(&self) -> Result<(), Error> {
        let secret = self.host.secret("token")?;
        self.host.info(&format!("started with a {}-byte token", secret.len()));
        Ok(())
    }
}

impl ModerationPlugin for Flagger {
    fn classify(&self, _call: &Call, media_type: &str, media: &mut Reader) -> Result<Verdict, Error> {
        if essence(media_type) != "text/plain" {
            return Err(Error::unsupported(media_type.to_string()));
        }
        let text = String::from_utf8_lossy(&media.read_all(1024)?).into_owned();
        if text == "panic" {
            panic!("classify exploded");
        }
        let mut v = Verdict::new();
        if text.contains(&self.word) || self.learnt.lock().unwrap().contains(&text) {
            v.add("flagged", 1.0, vec![self.word.clone()]);
        }
        Ok(v)
    }
}

impl ModerationFeedbackPlugin for Flagger {
    fn feedback(&self, _call: &Call, feedback: &Feedback, content: &mut Reader) -> Result<(), Error> {
        let text = String::from_utf8_lossy(&content.read_all(1024)?).into_owned();
        if text == "panic" {
            panic!("feedback exploded");
        }
        let mut learnt = self.learnt.lock().unwrap();
        match feedback.label {
            FeedbackLabel::Violation => learnt.push(text),
            FeedbackLabel::Clean => learnt.retain(|t| *t != text),
        }
        Ok(())
    }
}

fn module() -> Module {
    Module::new().plugin(PluginClass::<Flagger>::new(Descriptor::new("org.test.flagger", "Flagger").version("2.0.0").serialize_calls()).moderation().moderation_feedback())
}

export_module!(module);

unsafe extern "C" fn host_log(_: *const kn_host_t, level: i32, msg: *const c_char) {
    LOG.lock().unwrap().push(format!("{} {}", level, CStr::from_ptr(msg).to_str().unwrap()));
}

unsafe extern "C" fn secret_get(_: *const kn_host_t, name: *const c_char, buf: *mut u8, cap: usize, out_len: *mut usize) -> i32 {
    if CStr::from_ptr(name).to_bytes() != b"token" {
        return KN_E_NOT_FOUND;
    }
    let value = vec![b'x'; 1000]; // bigger than the kit's first buffer: exercises the retry
    *out_len = value.len();
    if cap < value.len() {
        return KN_E_INVALID_ARGUMENT;
    }
    ptr::copy_nonoverlapping(value.as_ptr(), buf, value.len());
    KN_OK
}

static SECRETS: kn_host_secrets_v1_t = kn_host_secrets_v1_t { get: Some(secret_get) };

unsafe extern "C" fn get_service(_: *const kn_host_t, id: *const c_char) -> *const c_void {
    if CStr::from_ptr(id).to_bytes() == KN_HOST_SECRETS_ID.as_bytes() {
        &SECRETS as *const _ as *const c_void
    } else {
        ptr::null()
    }
}

fn zeroed_error() -> kn_error_t {
    kn_error_t { code: 0, detail: 0, message: [0; KN_ERROR_MESSAGE_MAX] }
}

type Outcome = Vec<(i32, Option<String>, Option<String>)>;

unsafe extern "C" fn record(ctx: *mut c_void, status: i32, err: *const kn_error_t, result: *const c_void) {
    let out = &mut *(ctx as *mut Outcome);
    let message = if err.is_null() { None } else { Some(Error::from_raw(&*err).message().to_string()) };
    let text = if status == KN_OK && !result.is_null() { Some(CStr::from_ptr(result as *const c_char).to_str().unwrap().to_string()) } else { None };
    out.push((status, message, text));
}

unsafe extern "C" fn failing_read(_: *mut c_void, _: *mut u8, _: usize) -> i64 {
    KN_E_CANCELLED as i64
}

unsafe fn classify(plugin: *const kn_plugin_t, table: &kn_moderation_v1_t, media_type: &str, body: Option<&[u8]>) -> Outcome {
    let mut outcome: Outcome = Vec::new();
    let done = kn_completion_t { ctx: &mut outcome as *mut _ as *mut c_void, complete: Some(record) };
    let media_type = CString::new(media_type).unwrap();
    let call = kn_call_t { request_id: ptr::null(), deadline_unix_ns: 0, host_ctx: ptr::null_mut(), is_cancelled: None };
    match body {
        Some(bytes) => {
            // The kit's own slice reader stands in for the host's reader.
            let mut cursor: &[u8] = bytes;
            unsafe extern "C" fn read(ctx: *mut c_void, buf: *mut u8, cap: usize) -> i64 {
                let rest = &mut *(ctx as *mut &[u8]);
                let n = rest.len().min(cap);
                ptr::copy_nonoverlapping(rest.as_ptr(), buf, n);
                *rest = &rest[n..];
                n as i64
            }
            let reader = kn_reader_t { ctx: &mut cursor as *mut _ as *mut c_void, read: Some(read), size_hint: -1, fd: -1 };
            (table.classify.unwrap())(plugin, &call, media_type.as_ptr(), reader, done);
        }
        None => {
            let reader = kn_reader_t { ctx: ptr::null_mut(), read: Some(failing_read), size_hint: -1, fd: -1 };
            (table.classify.unwrap())(plugin, &call, media_type.as_ptr(), reader, done);
        }
    }
    outcome
}

unsafe fn feedback(plugin: *const kn_plugin_t, table: &kn_moderation_feedback_v1_t, label: &str, body: &[u8]) -> Outcome {
    let mut outcome: Outcome = Vec::new();
    let done = kn_completion_t { ctx: &mut outcome as *mut _ as *mut c_void, complete: Some(record) };
    let (media_type, label) = (CString::new("text/plain; charset=utf-8").unwrap(), CString::new(label).unwrap());
    let decision = CString::new(r#"{"action":"remove","reason":"ads","labels":[]}"#).unwrap();
    let call = kn_call_t { request_id: ptr::null(), deadline_unix_ns: 0, host_ctx: ptr::null_mut(), is_cancelled: None };
    let mut cursor: &[u8] = body;
    unsafe extern "C" fn read(ctx: *mut c_void, buf: *mut u8, cap: usize) -> i64 {
        let rest = &mut *(ctx as *mut &[u8]);
        let n = rest.len().min(cap);
        ptr::copy_nonoverlapping(rest.as_ptr(), buf, n);
        *rest = &rest[n..];
        n as i64
    }
    let reader = kn_reader_t { ctx: &mut cursor as *mut _ as *mut c_void, read: Some(read), size_hint: -1, fd: -1 };
    (table.feedback.unwrap())(plugin, &call, media_type.as_ptr(), reader, label.as_ptr(), decision.as_ptr(), done);
    outcome
}

#[test]
fn a_host_sees_the_module_the_kit_builds() {
    unsafe {
        let entry = &*kinora_module_entry_v1();
        assert_eq!(entry.abi, KN_ABI_VERSION_INIT);
        let host = kn_host_t {
            abi: KN_ABI_VERSION_INIT,
            host_data: ptr::null_mut(),
            name: b"kinora\0".as_ptr() as *const c_char,
            version: b"test\0".as_ptr() as *const c_char,
            instance: b"words\0".as_ptr() as *const c_char,
            log: Some(host_log),
            get_service: Some(get_service),
        };
        let mut err = zeroed_error();
        assert_eq!((entry.init.unwrap())(&host, b"/x/m.so\0".as_ptr() as *const c_char, &mut err), KN_OK);
        assert!((entry.get_factory.unwrap())(b"kinora.other/1\0".as_ptr() as *const c_char).is_null());
        let factory = &*((entry.get_factory.unwrap())(b"kinora.plugin-factory/1\0".as_ptr() as *const c_char) as *const kn_plugin_factory_t);
        assert_eq!((factory.count.unwrap())(factory), 1);
        assert!((factory.get_descriptor.unwrap())(factory, 1).is_null());
        let d = &*(factory.get_descriptor.unwrap())(factory, 0);
        assert_eq!(CStr::from_ptr(d.id).to_str().unwrap(), "org.test.flagger");
        assert_eq!(CStr::from_ptr(d.version).to_str().unwrap(), "2.0.0");
        assert!(d.vendor.is_null() && d.config_schema_json.is_null());
        assert_eq!(d.flags, KN_PLUGIN_FLAG_SERIALIZE_CALLS);
        assert_eq!(CStr::from_ptr(*d.interfaces).to_str().unwrap(), KN_MODERATION_ID);
        assert_eq!(CStr::from_ptr(*d.interfaces.add(1)).to_str().unwrap(), KN_MODERATION_FEEDBACK_ID);
        assert!((*d.interfaces.add(2)).is_null());

        let create = factory.create.unwrap();
        let id = b"org.test.flagger\0".as_ptr() as *const c_char;
        let mut out: *const kn_plugin_t = ptr::null();
        // Bad settings: KN_E_CONFIG with the plugin's message, *out untouched.
        let mut err = zeroed_error();
        assert_eq!(create(factory, &host, id, b"{}\0".as_ptr() as *const c_char, &mut out, &mut err), KN_E_CONFIG);
        assert_eq!(Error::from_raw(&err).message(), "word: missing");
        assert!(out.is_null());
        // A panic in create() becomes KN_E_INTERNAL instead of unwinding into the host.
        let mut err = zeroed_error();
        assert_eq!(create(factory, &host, id, b"{\"word\":\"boom\"}\0".as_ptr() as *const c_char, &mut out, &mut err), KN_E_INTERNAL);
        assert!(Error::from_raw(&err).message().contains("create exploded"));
        let mut err = zeroed_error();
        let unknown = b"org.test.nothing\0".as_ptr() as *const c_char;
        assert_eq!(create(factory, &host, unknown, b"{}\0".as_ptr() as *const c_char, &mut out, &mut err), KN_E_INVALID_ARGUMENT);

        let mut err = zeroed_error();
        assert_eq!(create(factory, &host, id, b"{\"word\":\"spoiler\"}\0".as_ptr() as *const c_char, &mut out, &mut err), KN_OK);
        let plugin = &*out;
        assert_eq!(plugin.desc, d as *const _);
        let mut err = zeroed_error();
        assert_eq!((plugin.start.unwrap())(plugin, &mut err), KN_OK);
        assert!(LOG.lock().unwrap().contains(&"2 started with a 1000-byte token".to_string()), "{:?}", LOG.lock().unwrap());
        let get_interface = plugin.get_interface.unwrap();
        assert!(get_interface(plugin, b"kinora.storage/1\0".as_ptr() as *const c_char).is_null());
        let table = &*(get_interface(plugin, b"kinora.moderation/1\0".as_ptr() as *const c_char) as *const kn_moderation_v1_t);

        let flagged = classify(plugin, table, "text/plain; charset=utf-8", Some(b"big spoiler here"));
        assert_eq!(flagged, vec![(KN_OK, None, Some(r#"{"labels":[{"name":"flagged","score":1.0,"matches":["spoiler"]}]}"#.into()))]);
        let clean = classify(plugin, table, "text/plain", Some(b"nothing"));
        assert_eq!(clean, vec![(KN_OK, None, Some(r#"{"labels":[]}"#.into()))]);
        let video = classify(plugin, table, "video/mp4", Some(b""));
        assert_eq!(video.len(), 1);
        assert_eq!(video[0].0, KN_E_UNSUPPORTED);
        let cancelled = classify(plugin, table, "text/plain", None);
        assert_eq!(cancelled.len(), 1);
        assert_eq!(cancelled[0].0, KN_E_CANCELLED, "the reader's failure code is passed on");
        let panicked = classify(plugin, table, "text/plain", Some(b"panic"));
        assert_eq!(panicked.len(), 1, "completed exactly once");
        assert_eq!(panicked[0].0, KN_E_INTERNAL);
        assert!(panicked[0].1.as_deref().unwrap_or("").contains("classify exploded"));

        // Feedback: a removal is learnt, an approval unlearns it; a bad label is refused.
        let learning = &*(get_interface(plugin, b"kinora.moderation.feedback/1\0".as_ptr() as *const c_char) as *const kn_moderation_feedback_v1_t);
        assert_eq!(feedback(plugin, learning, "violation", b"psst"), vec![(KN_OK, None, None)]);
        assert_eq!(classify(plugin, table, "text/plain", Some(b"psst"))[0].2.as_deref(), Some(r#"{"labels":[{"name":"flagged","score":1.0,"matches":["spoiler"]}]}"#));
        assert_eq!(feedback(plugin, learning, "clean", b"psst"), vec![(KN_OK, None, None)]);
        assert_eq!(classify(plugin, table, "text/plain", Some(b"psst"))[0].2.as_deref(), Some(r#"{"labels":[]}"#));
        let refused = feedback(plugin, learning, "maybe", b"psst");
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, KN_E_INVALID_ARGUMENT);
        assert!(refused[0].1.as_deref().unwrap_or("").contains("neither \"clean\" nor \"violation\""), "{:?}", refused);
        let exploded = feedback(plugin, learning, "violation", b"panic");
        assert_eq!(exploded.len(), 1, "completed exactly once");
        assert_eq!(exploded[0].0, KN_E_INTERNAL);

        (plugin.stop.unwrap())(plugin);
        (plugin.destroy.unwrap())(plugin);
        (entry.deinit.unwrap())();
        assert_eq!((factory.count.unwrap())(factory), 0, "nothing is left after deinit");
    }
}
