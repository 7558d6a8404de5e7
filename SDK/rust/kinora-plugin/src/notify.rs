//! `kinora.notify/1`: a delivery channel (mail, Web Push, SMS, a webhook) that carries one
//! rendered message to its provider.

use crate::completion::Completion;
use crate::error::{Error, Status};
use crate::io::Call;
use crate::json;
use crate::module::{guard, instance, instance_record, PluginClass};
use crate::sys;
use crate::Plugin;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_void};

/// The kind of address a channel delivers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressKind {
    /// A mail address.
    Email,
    /// An E.164 phone number.
    Phone,
    /// A Web Push subscription.
    WebPush,
    /// One place of the plugin's own settings (a webhook URL): messages have no `to`.
    None,
}

impl AddressKind {
    /// "email", "phone", "webpush" or "none".
    pub fn as_str(self) -> &'static str {
        match self {
            AddressKind::Email => "email",
            AddressKind::Phone => "phone",
            AddressKind::WebPush => "webpush",
            AddressKind::None => "none",
        }
    }

    /// Parses the four names (settings that let the operator choose).
    pub fn parse(name: &str) -> Option<AddressKind> {
        [AddressKind::Email, AddressKind::Phone, AddressKind::WebPush, AddressKind::None].into_iter().find(|k| k.as_str() == name)
    }

    /// The static C string address_kind() answers: the same pointer every time.
    fn c_str(self) -> *const c_char {
        let bytes: &'static [u8] = match self {
            AddressKind::Email => b"email\0",
            AddressKind::Phone => b"phone\0",
            AddressKind::WebPush => b"webpush\0",
            AddressKind::None => b"none\0",
        };
        bytes.as_ptr() as *const c_char
    }
}

/// A browser's Web Push subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebPushSubscription {
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The authentication secret, base64url.
    pub auth: String,
}

/// Who a message goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// A mail address or a phone number.
    Address(String),
    WebPush(WebPushSubscription),
}

/// One rendered message, read by the kit from `message_json` before the plugin sees it. The
/// kit refuses with KN_E_INVALID_ARGUMENT what no channel could send: text that is not a JSON
/// object, a missing `text` or `idempotency_key`, a `to` of the wrong shape, and a header whose
/// name is not an HTTP token or whose value holds CR, LF or NUL (a header injection).
///
/// ```
/// use kinora_plugin::{Message, Recipient};
/// let m = Message::parse(r#"{"to":"alice@example.org","text":"Hi","idempotency_key":"k1",
///     "headers":{"List-Unsubscribe":"<https://k.example/u/T>"}}"#).unwrap();
/// assert_eq!(m.to, Some(Recipient::Address("alice@example.org".into())));
/// assert_eq!(m.message_id("k.example"), "<k1@k.example>");
/// assert!(Message::parse(r#"{"text":"Hi","idempotency_key":"k1","headers":{"X":"a\r\nBcc: b@c"}}"#).is_err());
/// assert!(Message::parse(r#"{"text":"Hi"}"#).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// None for "none" channels.
    pub to: Option<Recipient>,
    pub to_name: Option<String>,
    /// May hold any character the host's template produced: encode it (RFC 2047) in a mail.
    pub subject: Option<String>,
    /// Plain text, always present.
    pub text: String,
    pub html: Option<String>,
    /// Headers to add to a mail, in document order; checked by the kit.
    pub headers: Vec<(String, String)>,
    /// The same for every attempt: pass it on to the provider so it can deduplicate.
    pub idempotency_key: String,
    pub event: Option<String>,
    pub language: Option<String>,
    /// The event's ids and links (an object, or Null when absent).
    pub data: json::Value,
    /// The message as the host sent it (JSON), for keys this crate does not know.
    pub json: String,
}

impl Message {
    pub fn parse(message_json: &str) -> Result<Message, Error> {
        let value = json::parse(message_json).map_err(|e| Error::invalid_argument(format!("the message is not JSON: {}", e)))?;
        if !matches!(value, json::Value::Object(_)) {
            return Err(Error::invalid_argument("the message is not a JSON object"));
        }
        let text = |key: &str| -> Result<Option<String>, Error> {
            match value.get(key) {
                None | Some(json::Value::Null) => Ok(None),
                Some(json::Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::invalid_argument(format!("message.{} is not a string", key))),
            }
        };
        let body = text("text")?.ok_or_else(|| Error::invalid_argument("the message has no \"text\""))?;
        let key =
            text("idempotency_key")?.filter(|k| !k.is_empty()).ok_or_else(|| Error::invalid_argument("the message has no \"idempotency_key\""))?;
        let to = match value.get("to") {
            None | Some(json::Value::Null) => None,
            Some(json::Value::String(s)) => Some(Recipient::Address(s.clone())),
            Some(sub @ json::Value::Object(_)) => {
                let field = |v: Option<&json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
                let keys = sub.get("keys");
                match (field(sub.get("endpoint")), field(keys.and_then(|k| k.get("p256dh"))), field(keys.and_then(|k| k.get("auth")))) {
                    (Some(endpoint), Some(p256dh), Some(auth)) => Some(Recipient::WebPush(WebPushSubscription { endpoint, p256dh, auth })),
                    _ => return Err(Error::invalid_argument("message.to is an object without \"endpoint\" and \"keys\" {\"p256dh\", \"auth\"}")),
                }
            }
            Some(_) => return Err(Error::invalid_argument("message.to is neither a string nor a subscription object")),
        };
        let mut headers = Vec::new();
        match value.get("headers") {
            None | Some(json::Value::Null) => {}
            Some(json::Value::Object(members)) => {
                for (name, member) in members {
                    // Neither a bad name nor a value is echoed: either may hold the injection.
                    if !is_token(name) {
                        return Err(Error::invalid_argument("message.headers has a name that is not a header name (an HTTP token)"));
                    }
                    let v = member.as_str().ok_or_else(|| Error::invalid_argument(format!("message.headers.{} is not a string", name)))?;
                    if v.contains(['\r', '\n', '\0']) {
                        return Err(Error::invalid_argument(format!("message.headers.{} contains CR, LF or NUL", name)));
                    }
                    headers.push((name.clone(), v.to_string()));
                }
            }
            Some(_) => return Err(Error::invalid_argument("message.headers is not an object")),
        }
        let data = match value.get("data") {
            None => json::Value::Null,
            Some(v @ (json::Value::Object(_) | json::Value::Null)) => v.clone(),
            Some(_) => return Err(Error::invalid_argument("message.data is not an object")),
        };
        Ok(Message {
            to,
            to_name: text("to_name")?,
            subject: text("subject")?,
            text: body,
            html: text("html")?,
            headers,
            idempotency_key: key,
            event: text("event")?,
            language: text("language")?,
            data,
            json: message_json.to_string(),
        })
    }

    /// Checks that `to` suits a channel of `kind` (the kit calls it before `send`): a mail
    /// address for "email", an E.164 number for "phone", a subscription for "webpush".
    pub fn check_recipient(&self, kind: AddressKind) -> Result<(), Error> {
        let wrong = |what: &str| Err(Error::invalid_argument(format!("message.to is not {}", what)));
        match (kind, &self.to) {
            (AddressKind::None, _) => Ok(()),
            (_, None) => Err(Error::invalid_argument(format!("the message has no \"to\" for this {} channel", kind.as_str()))),
            (AddressKind::WebPush, Some(Recipient::WebPush(_))) => Ok(()),
            (AddressKind::Email, Some(Recipient::Address(a))) => {
                let (local, domain) = a.rsplit_once('@').unwrap_or(("", ""));
                if local.is_empty() || domain.is_empty() || a.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>') {
                    return wrong("a mail address");
                }
                Ok(())
            }
            (AddressKind::Phone, Some(Recipient::Address(n))) => {
                let digits = n.strip_prefix('+').unwrap_or("");
                if !(2..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
                    return wrong("an E.164 phone number");
                }
                Ok(())
            }
            _ => Err(Error::invalid_argument(format!("message.to does not suit a {} channel", kind.as_str()))),
        }
    }

    /// A mail Message-ID from the idempotency key, the same for every attempt: "<KEY@domain>",
    /// characters a Message-ID cannot hold replaced by '-'.
    pub fn message_id(&self, domain: &str) -> String {
        let safe: String =
            self.idempotency_key.chars().map(|c| if c.is_ascii_graphic() && !"<>@()[]\\\",;:".contains(c) { c } else { '-' }).collect();
        format!("<{}@{}>", safe, domain)
    }

    /// The header `name`, in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// RFC 9110's token: the characters a header name may have.
fn is_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// What became of one message.
///
/// ```
/// use kinora_plugin::Outcome;
/// assert_eq!(Outcome::delivered(Some("m1")).to_json(), r#"{"outcome":"delivered","provider_id":"m1"}"#);
/// assert_eq!(Outcome::retryable("421 busy", Some(30)).to_json(), r#"{"outcome":"retryable","reason":"421 busy","retry_after_seconds":30}"#);
/// assert_eq!(Outcome::permanent("410 gone", true).to_json(), r#"{"outcome":"permanent","reason":"410 gone","address_gone":true}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The provider accepted the message.
    Delivered { provider_id: Option<String> },
    /// Not now: the host retries with backoff, no sooner than `retry_after_seconds`.
    Retryable { reason: String, retry_after_seconds: Option<u64> },
    /// Never; `address_gone` tells the host to forget the address.
    Permanent { reason: String, address_gone: bool },
}

impl Outcome {
    pub fn delivered(provider_id: Option<&str>) -> Outcome {
        Outcome::Delivered { provider_id: provider_id.map(str::to_string) }
    }
    pub fn retryable(reason: impl Into<String>, retry_after_seconds: Option<u64>) -> Outcome {
        Outcome::Retryable { reason: reason.into(), retry_after_seconds }
    }
    pub fn permanent(reason: impl Into<String>, address_gone: bool) -> Outcome {
        Outcome::Permanent { reason: reason.into(), address_gone }
    }

    /// The outcome object `send` completes with.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"outcome\":");
        match self {
            Outcome::Delivered { provider_id } => {
                json::write_string(&mut out, sys::KN_NOTIFY_DELIVERED);
                if let Some(id) = provider_id {
                    out.push_str(",\"provider_id\":");
                    json::write_string(&mut out, id);
                }
            }
            Outcome::Retryable { reason, retry_after_seconds } => {
                json::write_string(&mut out, sys::KN_NOTIFY_RETRYABLE);
                out.push_str(",\"reason\":");
                json::write_string(&mut out, reason);
                if let Some(seconds) = retry_after_seconds {
                    out.push_str(&format!(",\"retry_after_seconds\":{}", seconds));
                }
            }
            Outcome::Permanent { reason, address_gone } => {
                json::write_string(&mut out, sys::KN_NOTIFY_PERMANENT);
                out.push_str(",\"reason\":");
                json::write_string(&mut out, reason);
                out.push_str(&format!(",\"address_gone\":{}", address_gone));
            }
        }
        out.push('}');
        out
    }
}

/// A delivery-status callback as the host received it (POST /api/v1/notify/callbacks/{instance}).
///
/// ```
/// use kinora_plugin::CallbackRequest;
/// let r = CallbackRequest::parse(r#"{"url":"https://k/cb","method":"POST","headers":{"X-Sig":"abc"},"body":"id=SM1&status=delivered"}"#).unwrap();
/// assert_eq!(r.header("x-sig"), Some("abc"));
/// assert_eq!(CallbackRequest::form_field(&r.body, "status").as_deref(), Some("delivered"));
/// assert!(CallbackRequest::constant_time_eq("abc", "abc") && !CallbackRequest::constant_time_eq("abc", "abd"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackRequest {
    pub url: String,
    pub method: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    /// UTF-8 text.
    pub body: String,
}

impl CallbackRequest {
    /// Reads `request_json`; KN_E_INVALID_ARGUMENT unless it is an object with a string `body`.
    pub fn parse(request_json: &str) -> Result<CallbackRequest, Error> {
        let value = json::parse(request_json).map_err(|e| Error::invalid_argument(format!("the callback request is not JSON: {}", e)))?;
        let body =
            value.get("body").and_then(|b| b.as_str()).ok_or_else(|| Error::invalid_argument("the callback request has no \"body\" string"))?;
        let headers = match value.get("headers") {
            Some(json::Value::Object(members)) => {
                members.iter().filter_map(|(n, v)| v.as_str().map(|v| (n.to_ascii_lowercase(), v.to_string()))).collect()
            }
            _ => Vec::new(),
        };
        let text = |key: &str, default: &str| value.get(key).and_then(|v| v.as_str()).unwrap_or(default).to_string();
        Ok(CallbackRequest { url: text("url", ""), method: text("method", "POST"), headers, body: body.to_string() })
    }

    /// The header `name`, in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().rev().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The last field `name` of an `application/x-www-form-urlencoded` body, percent-decoded.
    pub fn form_field(body: &str, name: &str) -> Option<String> {
        body.split('&')
            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
            .filter(|(n, _)| percent_decode(n) == name)
            .map(|(_, v)| percent_decode(v))
            .next_back()
    }

    /// Compares a signature in time that does not depend on where the strings differ.
    pub fn constant_time_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let mut difference = (a.len() ^ b.len()) as u8 | ((a.len() != b.len()) as u8);
        for i in 0..a.len().max(b.len()) {
            difference |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
        }
        difference == 0
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a delivery-status callback says: `parse_callback`'s result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    Delivered,
    Failed,
    Pending,
}

/// One message's delivery status, from a provider's callback.
///
/// ```
/// use kinora_plugin::{DeliveryReport, DeliveryStatus};
/// let r = DeliveryReport { provider_id: "SM1".into(), status: DeliveryStatus::Failed, reason: Some("30003".into()) };
/// assert_eq!(r.to_json(), r#"{"provider_id":"SM1","status":"failed","reason":"30003"}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryReport {
    pub provider_id: String,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
}

impl DeliveryReport {
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"provider_id\":");
        json::write_string(&mut out, &self.provider_id);
        let status = match self.status {
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Pending => "pending",
        };
        out.push_str(&format!(",\"status\":\"{}\"", status));
        if let Some(reason) = &self.reason {
            out.push_str(",\"reason\":");
            json::write_string(&mut out, reason);
        }
        out.push('}');
        out
    }
}

/// The notify interface. `send` runs on a host worker thread (`[blocking-ok]`) and may block
/// on the network. Around it the kit reads and checks the message ([`Message`]), checks `to`
/// against [`NotifyPlugin::address_kind`], answers KN_E_TIMEOUT without calling `send` when the
/// deadline has passed, and turns an error with a status other than INVALID_ARGUMENT,
/// CANCELLED, TIMEOUT or NO_MEMORY into [`Outcome::Retryable`] with the error's message, as the
/// interface prefers. Never log the message's text, html or address.
///
/// ```
/// use kinora_plugin::*;
/// use std::io::Write;
///
/// struct FileChannel { path: String }
/// impl Plugin for FileChannel {
///     fn create(_: Host, config_json: &str) -> Result<Self, Error> {
///         let settings = json::parse(config_json).map_err(Error::config)?;
///         let path = settings.get("path").and_then(|p| p.as_str()).ok_or_else(|| Error::config("path: required"))?;
///         Ok(FileChannel { path: path.to_string() })
///     }
/// }
/// impl NotifyPlugin for FileChannel {
///     fn address_kind(&self) -> AddressKind { AddressKind::None }
///     fn send(&self, _call: &Call, message: &Message) -> Result<Outcome, Error> {
///         let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
///         writeln!(file, "{}", message.json.replace('\n', " "))?;
///         Ok(Outcome::delivered(Some(&message.idempotency_key)))
///     }
/// }
/// let path = std::env::temp_dir().join(format!("notify-doc-{}.jsonl", std::process::id()));
/// let channel = FileChannel { path: path.to_string_lossy().into_owned() };
/// let message = Message::parse(r#"{"text":"Hi","idempotency_key":"k1"}"#).unwrap();
/// assert_eq!(channel.send(&Call::detached(), &message).unwrap(), Outcome::delivered(Some("k1")));
/// # std::fs::remove_file(path).unwrap();
/// ```
pub trait NotifyPlugin: Plugin {
    /// The kind of address this channel delivers to; asked once after start(), it must not
    /// change afterwards.
    fn address_kind(&self) -> AddressKind;

    /// Delivers one message. The call's request id is the idempotency key; its deadline, 60 s
    /// after the attempt began.
    fn send(&self, call: &Call, message: &Message) -> Result<Outcome, Error>;

    /// Public values clients need to set the channel up (Web Push's VAPID key), served by the
    /// host to any signed-in account: `channel_info`, when the class is offered with
    /// [`PluginClass::with_channel_info`]. The kit asks once per instance, after start(), and
    /// answers the same JSON object until destroy(); None answers `{}`.
    fn channel_info(&self) -> Option<Vec<(String, String)>> {
        None
    }
}

/// A channel whose provider reports delivery later (an SMS gateway's status callback).
/// Offer it with [`PluginClass::notify_with_callbacks`]; with [`PluginClass::notify`] the
/// table's `parse_callback` is NULL and the host answers such callbacks with 404.
///
/// ```
/// use kinora_plugin::*;
/// struct Gateway { token: String }
/// impl Plugin for Gateway {
///     fn create(_: Host, _: &str) -> Result<Self, Error> { Ok(Gateway { token: "t0ken".into() }) }
/// }
/// impl NotifyPlugin for Gateway {
///     fn address_kind(&self) -> AddressKind { AddressKind::Phone }
///     fn send(&self, _: &Call, _: &Message) -> Result<Outcome, Error> { Ok(Outcome::retryable("no route yet", Some(60))) }
/// }
/// impl NotifyCallbackPlugin for Gateway {
///     fn parse_callback(&self, _call: &Call, request: &CallbackRequest) -> Result<DeliveryReport, Error> {
///         if request.body.is_empty() {
///             return Err(Error::invalid_argument("the callback has no body"));
///         }
///         if !CallbackRequest::constant_time_eq(request.header("x-gateway-token").unwrap_or(""), &self.token) {
///             return Err(Error::permission("the callback's signature does not verify"));
///         }
///         let id = CallbackRequest::form_field(&request.body, "id").ok_or_else(|| Error::invalid_argument("no id"))?;
///         Ok(DeliveryReport { provider_id: id, status: DeliveryStatus::Delivered, reason: None })
///     }
/// }
/// let forged = CallbackRequest::parse(r#"{"headers":{"x-gateway-token":"guess"},"body":"id=1"}"#).unwrap();
/// let gateway = Gateway { token: "t0ken".into() };
/// assert_eq!(gateway.parse_callback(&Call::detached(), &forged).unwrap_err().status(), Status::PERMISSION);
/// ```
pub trait NotifyCallbackPlugin: NotifyPlugin {
    /// Verifies and reads one callback: `Error::permission` when the signature does not
    /// verify (the host answers 403), `Error::invalid_argument` when it cannot be read (400).
    fn parse_callback(&self, call: &Call, request: &CallbackRequest) -> Result<DeliveryReport, Error>;
}

impl<T: NotifyPlugin> PluginClass<T> {
    /// Offers `kinora.notify/1` without delivery callbacks (`parse_callback` NULL).
    pub fn notify(mut self) -> Self {
        self.notify =
            Some(sys::kn_notify_v1_t { address_kind: Some(address_kind::<T>), send: Some(send::<T>), parse_callback: None, channel_info: None });
        self
    }

    /// Fills the table's `channel_info` from [`NotifyPlugin::channel_info`]; call it after
    /// `.notify()` or `.notify_with_callbacks()` (without either it does nothing). Without it
    /// `channel_info` is NULL: the channel has nothing to tell clients.
    pub fn with_channel_info(mut self) -> Self {
        if let Some(table) = self.notify.as_mut() {
            table.channel_info = Some(channel_info::<T>);
        }
        self
    }
}

impl<T: NotifyCallbackPlugin> PluginClass<T> {
    /// Offers `kinora.notify/1` with `parse_callback`, served by `T`'s [`NotifyCallbackPlugin`].
    pub fn notify_with_callbacks(mut self) -> Self {
        self.notify = Some(sys::kn_notify_v1_t {
            address_kind: Some(address_kind::<T>),
            send: Some(send::<T>),
            parse_callback: Some(parse_callback::<T>),
            channel_info: None,
        });
        self
    }
}

unsafe extern "C" fn address_kind<T: NotifyPlugin>(plugin: *const sys::kn_plugin_t) -> *const c_char {
    // [any]: never unwind; a panicking address_kind() counts as "none".
    guard(|| Ok(instance::<T>(plugin).address_kind())).unwrap_or(AddressKind::None).c_str()
}

unsafe extern "C" fn channel_info<T: NotifyPlugin>(plugin: *const sys::kn_plugin_t) -> *const c_char {
    let record = instance_record::<T>(plugin);
    record
        .channel_info
        .get_or_init(|| {
            // [any]: never unwind; a panicking channel_info() answers an empty object.
            let pairs = guard(|| Ok(record.value.channel_info())).ok().flatten().unwrap_or_default();
            let mut out = String::from("{");
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_string(&mut out, key);
                out.push(':');
                json::write_string(&mut out, value);
            }
            out.push('}');
            CString::new(out).unwrap_or_default()
        })
        .as_ptr()
}

unsafe fn borrowed_str<'a>(p: *const c_char, what: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::invalid_argument(format!("{} is NULL", what)));
    }
    CStr::from_ptr(p).to_str().map_err(|_| Error::invalid_argument(format!("{} is not UTF-8", what)))
}

/// The statuses `send` may fail with; any other failure becomes a retryable outcome.
fn is_send_failure(status: Status) -> bool {
    [Status::INVALID_ARGUMENT, Status::CANCELLED, Status::TIMEOUT, Status::NO_MEMORY].contains(&status)
}

unsafe extern "C" fn send<T: NotifyPlugin>(
    plugin: *const sys::kn_plugin_t,
    call: *const sys::kn_call_t,
    message_json: *const c_char,
    done: sys::kn_completion_t,
) {
    let done = Completion::from_raw(done);
    let result = guard(|| {
        let channel = instance::<T>(plugin);
        let message = Message::parse(borrowed_str(message_json, "message")?)?;
        message.check_recipient(channel.address_kind())?;
        let call = Call::from_raw(call);
        // Past the deadline the host has given up on this attempt and will send again.
        call.check()?;
        match channel.send(&call, &message) {
            Err(e) if !is_send_failure(e.status()) => {
                Ok(Outcome::retryable(if e.message().is_empty() { e.status().name() } else { e.message() }, None))
            }
            other => other,
        }
    });
    match result {
        Ok(outcome) => {
            let text = CString::new(outcome.to_json()).unwrap_or_default();
            done.succeed(text.as_ptr() as *const c_void);
        }
        Err(e) => done.fail(&e),
    }
}

unsafe extern "C" fn parse_callback<T: NotifyCallbackPlugin>(
    plugin: *const sys::kn_plugin_t,
    call: *const sys::kn_call_t,
    request_json: *const c_char,
    done: sys::kn_completion_t,
) {
    let done = Completion::from_raw(done);
    let result = guard(|| {
        let request = CallbackRequest::parse(borrowed_str(request_json, "request")?)?;
        instance::<T>(plugin).parse_callback(&Call::from_raw(call), &request)
    });
    match result {
        Ok(report) => {
            let text = CString::new(report.to_json()).unwrap_or_default();
            done.succeed(text.as_ptr() as *const c_void);
        }
        Err(e) => done.fail(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Message, Error> {
        Message::parse(json)
    }

    #[test]
    fn a_message_is_read_with_every_key() {
        let m = parse(
            r#"{"to":{"endpoint":"https://p/x","keys":{"p256dh":"BK","auth":"QQ"}},"to_name":"Alice","subject":"S","text":"T","html":"<p>T</p>",
                "headers":{"List-Unsubscribe":"<https://k/u>"},"idempotency_key":"n7","event":"video.published","language":"en",
                "data":{"video_id":"v1"},"later":1}"#,
        )
        .unwrap();
        assert_eq!(m.to, Some(Recipient::WebPush(WebPushSubscription { endpoint: "https://p/x".into(), p256dh: "BK".into(), auth: "QQ".into() })));
        assert_eq!(
            (m.to_name.as_deref(), m.subject.as_deref(), m.text.as_str(), m.html.as_deref()),
            (Some("Alice"), Some("S"), "T", Some("<p>T</p>"))
        );
        assert_eq!(m.header("list-unsubscribe"), Some("<https://k/u>"));
        assert_eq!((m.idempotency_key.as_str(), m.event.as_deref(), m.language.as_deref()), ("n7", Some("video.published"), Some("en")));
        assert_eq!(m.data.get("video_id").and_then(|v| v.as_str()), Some("v1"));
        assert!(m.check_recipient(AddressKind::WebPush).is_ok() && m.check_recipient(AddressKind::Email).is_err());
        assert_eq!(parse(r#"{"text":"","idempotency_key":"a b<c>@d"}"#).unwrap().message_id("k"), "<a-b-c--d@k>");
    }

    #[test]
    fn malformed_messages_are_invalid_arguments_without_echoing_headers() {
        for (json, reason) in [
            ("not json", "is not JSON"),
            ("[]", "not a JSON object"),
            (r#"{"idempotency_key":"k"}"#, "no \"text\""),
            (r#"{"text":"t","idempotency_key":""}"#, "no \"idempotency_key\""),
            (r#"{"text":"t","idempotency_key":"k","headers":{"X-A":"ok\r\nBcc: x@y"}}"#, "message.headers.X-A contains CR, LF or NUL"),
            (r#"{"text":"t","idempotency_key":"k","headers":{"X-A":"ok\nBcc: x@y"}}"#, "message.headers.X-A contains CR, LF or NUL"),
            (r#"{"text":"t","idempotency_key":"k","headers":{"Bcc: x\r\nX":"v"}}"#, "not a header name"),
            (r#"{"text":"t","idempotency_key":"k","to":{"endpoint":"e"}}"#, "without \"endpoint\""),
            (r#"{"text":"t","idempotency_key":"k","to":3}"#, "neither a string"),
        ] {
            let e = parse(json).unwrap_err();
            assert_eq!(e.status(), Status::INVALID_ARGUMENT, "{}", json);
            assert!(e.message().contains(reason) && !e.message().contains("Bcc"), "{}: {}", json, e);
        }
    }

    #[test]
    fn the_recipient_must_suit_the_channel() {
        let ok = |to: &str, kind| parse(&format!(r#"{{"text":"t","idempotency_key":"k"{}}}"#, to)).unwrap().check_recipient(kind).is_ok();
        assert!(
            ok(r#","to":"alice@example.org""#, AddressKind::Email) && ok(r#","to":"+15551234567""#, AddressKind::Phone) && ok("", AddressKind::None)
        );
        assert!(!ok("", AddressKind::Email) && !ok(r#","to":"alice""#, AddressKind::Email) && !ok(r#","to":"a@b\r\nBcc: c@d""#, AddressKind::Email));
        assert!(!ok(r#","to":"5551234567""#, AddressKind::Phone) && !ok(r#","to":"+0551234567""#, AddressKind::Phone));
        assert!(!ok(r#","to":"alice@example.org""#, AddressKind::WebPush));
    }

    #[test]
    fn forms_and_signatures() {
        assert_eq!(CallbackRequest::form_field("a=1&b=x%20y+z&c&b=2", "b").as_deref(), Some("2"));
        assert_eq!(CallbackRequest::form_field("m=%E2%9C%93%zz", "m").as_deref(), Some("✓%zz"));
        assert_eq!(CallbackRequest::form_field("c&d=1", "c").as_deref(), Some(""));
        assert!(!CallbackRequest::constant_time_eq("abc", "abcd") && !CallbackRequest::constant_time_eq("", "a"));
        for bad in ["", "[]", r#"{"url":"u"}"#, r#"{"body":3}"#] {
            assert_eq!(CallbackRequest::parse(bad).unwrap_err().status(), Status::INVALID_ARGUMENT, "{}", bad);
        }
    }
}
