//! `kinora.notify/1` as the host sees a kit-built module: the descriptor lists the interface,
//! address_kind answers one static string, send completes once with an outcome object or a
//! refusal (malformed messages and injected headers never reach the plugin), a call past its
//! deadline is answered with KN_E_TIMEOUT without sending, other failures become retryable
//! outcomes, and parse_callback and channel_info are NULL unless the class offers them.

use kinora_plugin::sys::*;
use kinora_plugin::*;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::sync::Mutex;

/// Sends recorded in memory; "fail-io" in the text makes send fail with an I/O error.
struct Recorder {
    kind: AddressKind,
    sent: Mutex<Vec<String>>,
}

impl Plugin for Recorder {
    fn create(_: Host, config_json: &str) -> Result<Self, Error> {
        let settings = json::parse(config_json).map_err(Error::config)?;
        let kind = settings.get("address_kind").and_then(|k| k.as_str()).unwrap_or("email");
        let kind = AddressKind::parse(kind).ok_or_else(|| Error::config(format!("address_kind: {:?} is not a kind", kind)))?;
        Ok(Recorder { kind, sent: Mutex::new(Vec::new()) })
    }
}

impl NotifyPlugin for Recorder {
    fn address_kind(&self) -> AddressKind {
        self.kind
    }
    fn send(&self, call: &Call, message: &Message) -> Result<Outcome, Error> {
        if message.text.contains("fail-io") {
            return Err(Error::io("connecting to mail.example:25: Connection refused"));
        }
        assert_eq!(call.request_id(), Some(message.idempotency_key.as_str()));
        self.sent.lock().unwrap().push(message.idempotency_key.clone());
        Ok(Outcome::delivered(Some(&format!("id-{}", message.idempotency_key))))
    }
}

/// The same with delivery callbacks signed by "t0ken".
struct Gateway(Recorder);

impl Plugin for Gateway {
    fn create(host: Host, config_json: &str) -> Result<Self, Error> {
        Ok(Gateway(Recorder::create(host, config_json)?))
    }
}

impl NotifyPlugin for Gateway {
    fn address_kind(&self) -> AddressKind {
        AddressKind::Phone
    }
    fn send(&self, call: &Call, message: &Message) -> Result<Outcome, Error> {
        self.0.send(call, message)
    }
    fn channel_info(&self) -> Option<Vec<(String, String)>> {
        Some(vec![("sender".into(), "+15550100\"x".into())])
    }
}

impl NotifyCallbackPlugin for Gateway {
    fn parse_callback(&self, _: &Call, request: &CallbackRequest) -> Result<DeliveryReport, Error> {
        if !CallbackRequest::constant_time_eq(request.header("x-token").unwrap_or(""), "t0ken") {
            return Err(Error::permission("the callback's signature does not verify"));
        }
        let id = CallbackRequest::form_field(&request.body, "id").ok_or_else(|| Error::invalid_argument("no id"))?;
        Ok(DeliveryReport { provider_id: id, status: DeliveryStatus::Failed, reason: Some("30003 unreachable".into()) })
    }
}

fn module() -> Module {
    Module::new()
        .plugin(PluginClass::<Recorder>::new(Descriptor::new("org.test.recorder", "Recorder")).notify())
        .plugin(PluginClass::<Gateway>::new(Descriptor::new("org.test.gateway", "Gateway")).notify_with_callbacks().with_channel_info())
}

export_module!(module);

unsafe extern "C" fn host_log(_: *const kn_host_t, _: i32, _: *const c_char) {}
unsafe extern "C" fn get_service(_: *const kn_host_t, _: *const c_char) -> *const c_void {
    ptr::null()
}

type Completions = Vec<(i32, Option<String>, Option<String>)>;

unsafe extern "C" fn record(ctx: *mut c_void, status: i32, err: *const kn_error_t, result: *const c_void) {
    let out = &mut *(ctx as *mut Completions);
    let message = if err.is_null() { None } else { Some(Error::from_raw(&*err).message().to_string()) };
    let text = if status == KN_OK && !result.is_null() { Some(CStr::from_ptr(result as *const c_char).to_str().unwrap().to_string()) } else { None };
    out.push((status, message, text));
}

/// Calls `op` (send or parse_callback) with `json`, a request id and a deadline.
unsafe fn call(
    plugin: *const kn_plugin_t,
    op: unsafe extern "C" fn(*const kn_plugin_t, *const kn_call_t, *const c_char, kn_completion_t),
    json: &str,
    request_id: &str,
    deadline_unix_ns: i64,
) -> Completions {
    let mut completions: Completions = Vec::new();
    let done = kn_completion_t { ctx: &mut completions as *mut _ as *mut c_void, complete: Some(record) };
    let (json, request_id) = (CString::new(json).unwrap(), CString::new(request_id).unwrap());
    let call = kn_call_t { request_id: request_id.as_ptr(), deadline_unix_ns, host_ctx: ptr::null_mut(), is_cancelled: None };
    op(plugin, &call, json.as_ptr(), done);
    completions
}

unsafe fn start(factory: &kn_plugin_factory_t, host: &kn_host_t, id: &[u8], config: &[u8]) -> *const kn_plugin_t {
    let mut out: *const kn_plugin_t = ptr::null();
    let mut err = kn_error_t { code: 0, detail: 0, message: [0; KN_ERROR_MESSAGE_MAX] };
    assert_eq!((factory.create.unwrap())(factory, host, id.as_ptr() as *const c_char, config.as_ptr() as *const c_char, &mut out, &mut err), KN_OK);
    assert_eq!(((*out).start.unwrap())(out, &mut err), KN_OK);
    out
}

unsafe fn notify_table(plugin: *const kn_plugin_t) -> &'static kn_notify_v1_t {
    &*(((*plugin).get_interface.unwrap())(plugin, b"kinora.notify/1\0".as_ptr() as *const c_char) as *const kn_notify_v1_t)
}

#[test]
fn a_host_sends_through_the_table_the_kit_builds() {
    unsafe {
        let entry = &*kinora_module_entry_v1();
        let host = kn_host_t {
            abi: KN_ABI_VERSION_INIT,
            host_data: ptr::null_mut(),
            name: b"kinora\0".as_ptr() as *const c_char,
            version: b"test\0".as_ptr() as *const c_char,
            instance: b"mail\0".as_ptr() as *const c_char,
            log: Some(host_log),
            get_service: Some(get_service),
        };
        let mut err = kn_error_t { code: 0, detail: 0, message: [0; KN_ERROR_MESSAGE_MAX] };
        assert_eq!((entry.init.unwrap())(&host, b"/x/n.so\0".as_ptr() as *const c_char, &mut err), KN_OK);
        let factory = &*((entry.get_factory.unwrap())(b"kinora.plugin-factory/1\0".as_ptr() as *const c_char) as *const kn_plugin_factory_t);
        let d = &*(factory.get_descriptor.unwrap())(factory, 0);
        assert_eq!(CStr::from_ptr(*d.interfaces).to_str().unwrap(), KN_NOTIFY_ID);
        assert!((*d.interfaces.add(1)).is_null());

        let plugin = start(factory, &host, b"org.test.recorder\0", b"{}\0");
        let table = notify_table(plugin);
        assert!(table.parse_callback.is_none(), "a channel without callbacks leaves parse_callback NULL");
        assert!(table.channel_info.is_none(), "a class offered without with_channel_info leaves channel_info NULL");
        let kind = (table.address_kind.unwrap())(plugin);
        assert_eq!(CStr::from_ptr(kind).to_str().unwrap(), "email");
        assert_eq!((table.address_kind.unwrap())(plugin), kind, "the same static pointer every time");

        let send = table.send.unwrap();
        let good = r#"{"to":"alice@example.org","text":"Hi","idempotency_key":"k1","headers":{"List-Unsubscribe":"<https://k/u>"}}"#;
        assert_eq!(call(plugin, send, good, "k1", 0), vec![(KN_OK, None, Some(r#"{"outcome":"delivered","provider_id":"id-k1"}"#.to_string()))]);

        for bad in [
            "{",
            r#"{"to":"alice@example.org","idempotency_key":"k2"}"#,
            r#"{"to":"alice@example.org","text":"Hi"}"#,
            r#"{"to":"alice@example.org","text":"Hi","idempotency_key":"k2","headers":{"X-A":"ok\r\nBcc: evil@example.org"}}"#,
            r#"{"to":"+15551234567","text":"Hi","idempotency_key":"k2"}"#,
        ] {
            let c = call(plugin, send, bad, "k2", 0);
            assert_eq!(c.len(), 1, "{}", bad);
            assert_eq!(c[0].0, KN_E_INVALID_ARGUMENT, "{}: {:?}", bad, c);
        }

        // A deadline already passed: timed out, and nothing was sent.
        let past = r#"{"to":"alice@example.org","text":"Hi","idempotency_key":"k3"}"#;
        let c = call(plugin, send, past, "k3", 1_000_000_000);
        assert_eq!((c.len(), c[0].0), (1, KN_E_TIMEOUT), "{:?}", c);

        // A failure other than the four send may report is a retryable outcome with its reason.
        let failing = r#"{"to":"alice@example.org","text":"fail-io","idempotency_key":"k4"}"#;
        assert_eq!(
            call(plugin, send, failing, "k4", 0),
            vec![(KN_OK, None, Some(r#"{"outcome":"retryable","reason":"connecting to mail.example:25: Connection refused"}"#.to_string()))]
        );

        // The gateway offers callbacks.
        let gateway = start(factory, &host, b"org.test.gateway\0", b"{}\0");
        let table = notify_table(gateway);
        assert_eq!(CStr::from_ptr((table.address_kind.unwrap())(gateway)).to_str().unwrap(), "phone");
        let info = table.channel_info.expect("channel_info");
        let first = info(gateway);
        assert_eq!(CStr::from_ptr(first).to_str().unwrap(), r#"{"sender":"+15550100\"x"}"#);
        assert_eq!(info(gateway), first, "one string per instance until destroy()");
        let parse = table.parse_callback.expect("parse_callback");
        let signed = r#"{"url":"https://k/cb","method":"POST","headers":{"X-Token":"t0ken"},"body":"id=SM1&status=failed"}"#;
        assert_eq!(
            call(gateway, parse, signed, "cb", 0),
            vec![(KN_OK, None, Some(r#"{"provider_id":"SM1","status":"failed","reason":"30003 unreachable"}"#.to_string()))]
        );
        let forged = call(gateway, parse, &signed.replace("t0ken", "guess"), "cb", 0);
        assert_eq!(forged[0].0, KN_E_PERMISSION);
        assert_eq!(call(gateway, parse, "", "cb", 0)[0].0, KN_E_INVALID_ARGUMENT);

        for p in [plugin, gateway] {
            ((*p).stop.unwrap())(p);
            ((*p).destroy.unwrap())(p);
        }
        (entry.deinit.unwrap())();
    }
}
