//! `kinora.moderation/1`: classify text or media.

use crate::completion::Completion;
use crate::error::Error;
use crate::io::{Call, Reader};
use crate::json;
use crate::module::{guard, instance, Plugin, PluginClass};
use crate::sys;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_void};

/// One label of a verdict: a name, a score in [0, 1] and what matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub name: String,
    pub score: f64,
    pub matches: Vec<String>,
}

/// A moderation result: labels, highest score first (the kit sorts them). No labels means
/// nothing found.
///
/// ```
/// # use kinora_plugin::Verdict;
/// let mut v = Verdict::new();
/// v.add("keywords", 1.0, vec!["spoiler".to_string()]);
/// assert_eq!(v.to_json(), r#"{"labels":[{"name":"keywords","score":1.0,"matches":["spoiler"]}]}"#);
/// assert_eq!(Verdict::new().to_json(), r#"{"labels":[]}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    pub labels: Vec<Label>,
}

impl Verdict {
    pub fn new() -> Verdict {
        Verdict::default()
    }

    /// Adds a label; the score is clamped to [0, 1] (NaN becomes 0).
    pub fn add(&mut self, name: &str, score: f64, matches: Vec<String>) {
        let score = if score.is_nan() { 0.0 } else { score.clamp(0.0, 1.0) };
        self.labels.push(Label { name: name.to_string(), score, matches });
    }

    /// The JSON object the interface returns: `{"labels":[{"name":..,"score":..,"matches":[..]}]}`.
    pub fn to_json(&self) -> String {
        let mut labels: Vec<&Label> = self.labels.iter().collect();
        labels.sort_by(|a, b| b.score.partial_cmp(&a.score).unwrap_or(std::cmp::Ordering::Equal));
        let mut out = String::from("{\"labels\":[");
        for (i, label) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"name\":");
            json::write_string(&mut out, &label.name);
            out.push_str(&format!(",\"score\":{:?},\"matches\":[", label.score));
            for (j, m) in label.matches.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                json::write_string(&mut out, m);
            }
            out.push_str("]}");
        }
        out.push_str("]}");
        out
    }
}

/// The moderation interface. Runs on a host worker thread (`[blocking-ok]`); the kit
/// completes the call with your result, your error, or KN_E_INTERNAL if you panic.
///
/// ```
/// use kinora_plugin::*;
/// struct Shouting;
/// impl Plugin for Shouting {
///     fn create(_: Host, _: &str) -> Result<Self, Error> { Ok(Shouting) }
/// }
/// impl ModerationPlugin for Shouting {
///     fn classify(&self, call: &Call, media_type: &str, media: &mut Reader) -> Result<Verdict, Error> {
///         if essence(media_type) != "text/plain" {
///             return Err(Error::unsupported(format!("media type {}", media_type)));
///         }
///         let text = String::from_utf8(media.read_all(1 << 20)?)
///             .map_err(|_| Error::invalid_argument("the text is not UTF-8"))?;
///         call.check()?;
///         let mut verdict = Verdict::new();
///         if text.len() > 3 && text == text.to_uppercase() {
///             verdict.add("shouting", 0.8, vec![]);
///         }
///         Ok(verdict)
///     }
/// }
/// let v = Shouting.classify(&Call::detached(), "text/plain; charset=utf-8", &mut Reader::from_bytes(b"STOP IT")).unwrap();
/// assert_eq!(v.labels[0].name, "shouting");
/// ```
pub trait ModerationPlugin: Plugin {
    /// Classifies the content of `media`, whose MIME type is `media_type` (parameters
    /// included: "text/plain; charset=utf-8"). Return `Error::unsupported` for types you do
    /// not handle; a reader failure passed on with `?` keeps the reader's status.
    fn classify(&self, call: &Call, media_type: &str, media: &mut Reader) -> Result<Verdict, Error>;
}

/// The MIME type without parameters, lower-cased: "Text/Plain; charset=utf-8" -> "text/plain".
pub fn essence(media_type: &str) -> String {
    media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

impl<T: ModerationPlugin> PluginClass<T> {
    /// Offers `kinora.moderation/1`, served by `T`'s [`ModerationPlugin`] implementation.
    pub fn moderation(mut self) -> Self {
        self.moderation = Some(sys::kn_moderation_v1_t { classify: Some(classify::<T>) });
        self
    }
}

unsafe extern "C" fn classify<T: ModerationPlugin>(
    plugin: *const sys::kn_plugin_t,
    call: *const sys::kn_call_t,
    media_type: *const c_char,
    media: sys::kn_reader_t,
    done: sys::kn_completion_t,
) {
    let done = Completion::from_raw(done);
    let result = guard(|| {
        let media_type = if media_type.is_null() { "" } else { CStr::from_ptr(media_type).to_str().unwrap_or("") };
        let mut reader = Reader::from_raw(media);
        instance::<T>(plugin).classify(&Call::from_raw(call), media_type, &mut reader)
    });
    match result {
        Ok(verdict) => {
            let text = CString::new(verdict.to_json()).unwrap_or_default();
            done.succeed(text.as_ptr() as *const c_void);
        }
        Err(e) => done.fail(&e),
    }
}
