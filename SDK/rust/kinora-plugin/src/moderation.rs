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

/// The two sides of a moderator's decision, as `kinora.moderation.feedback/1` spells them:
/// `approve` is [`FeedbackLabel::Clean`]; `remove`, `warn`, `suspend` and `ban` are
/// [`FeedbackLabel::Violation`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedbackLabel {
    /// The content is acceptable (a spam filter's ham).
    Clean,
    /// The content broke a rule (a spam filter's spam).
    Violation,
}

impl FeedbackLabel {
    /// "clean" or "violation"; anything else is `None`.
    pub fn parse(label: &str) -> Option<FeedbackLabel> {
        match label {
            sys::KN_FEEDBACK_CLEAN => Some(FeedbackLabel::Clean),
            sys::KN_FEEDBACK_VIOLATION => Some(FeedbackLabel::Violation),
            _ => None,
        }
    }
}

/// One moderator's decision, read by the kit from the host's arguments before the plugin
/// sees it (an unknown label or details that are not a JSON object are refused with
/// KN_E_INVALID_ARGUMENT).
///
/// ```
/// # use kinora_plugin::{Feedback, FeedbackLabel};
/// let f = Feedback::new("text/plain; charset=utf-8", "clean",
///     r#"{"action":"approve","reason":"a joke","labels":[{"name":"spam","score":0.8}]}"#).unwrap();
/// assert_eq!(f.label, FeedbackLabel::Clean);
/// assert_eq!(f.action, "approve");
/// assert_eq!(f.labels[0].name, "spam");
/// assert!(Feedback::new("text/plain", "maybe", "{}").is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Feedback {
    pub label: FeedbackLabel,
    /// The content's MIME type, as for [`ModerationPlugin::classify`].
    pub media_type: String,
    /// "approve", "remove", "warn", "suspend" or "ban".
    pub action: String,
    /// The moderator's reason.
    pub reason: String,
    pub item_id: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// What this instance answered when it classified the content (empty when it did not).
    pub labels: Vec<Label>,
    /// The whole details object, for keys this crate does not know.
    pub details: json::Value,
}

impl Feedback {
    pub fn new(media_type: &str, label: &str, decision_json: &str) -> Result<Feedback, Error> {
        let known = FeedbackLabel::parse(label)
            .ok_or_else(|| Error::invalid_argument(format!("feedback label {:?} is neither \"clean\" nor \"violation\"", label)))?;
        let details = json::parse(decision_json).map_err(|e| Error::invalid_argument(format!("the decision is not JSON: {}", e)))?;
        if !matches!(details, json::Value::Object(_)) {
            return Err(Error::invalid_argument("the decision is not a JSON object"));
        }
        let text = |key: &str| details.get(key).and_then(|v| v.as_str()).map(str::to_string);
        let labels = details
            .get("labels")
            .and_then(|l| l.as_array())
            .unwrap_or(&[])
            .iter()
            .filter_map(|l| {
                let name = l.get("name")?.as_str()?.to_string();
                Some(Label { name, score: l.get("score")?.as_f64()?, matches: Vec::new() })
            })
            .collect();
        Ok(Feedback {
            label: known,
            media_type: media_type.to_string(),
            action: text("action").unwrap_or_default(),
            reason: text("reason").unwrap_or_default(),
            item_id: text("item_id"),
            target_type: text("target_type"),
            target_id: text("target_id"),
            labels,
            details,
        })
    }
}

/// `kinora.moderation.feedback/1`: moderators' decisions on content, so a classifier can learn
/// from them. Called on a host worker thread after each decision on a queue item with content,
/// fire and forget (the decision is already answered; an error is only logged).
///
/// ```
/// use kinora_plugin::*;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// struct Counting { approvals: AtomicUsize }
/// impl Plugin for Counting {
///     fn create(_: Host, _: &str) -> Result<Self, Error> { Ok(Counting { approvals: AtomicUsize::new(0) }) }
/// }
/// impl ModerationPlugin for Counting {
///     fn classify(&self, _: &Call, _: &str, _: &mut Reader) -> Result<Verdict, Error> { Ok(Verdict::new()) }
/// }
/// impl ModerationFeedbackPlugin for Counting {
///     fn feedback(&self, _call: &Call, feedback: &Feedback, content: &mut Reader) -> Result<(), Error> {
///         if essence(&feedback.media_type) != "text/plain" {
///             return Err(Error::unsupported("only text is learnt from"));
///         }
///         let _text = content.read_all(1 << 20)?;
///         if feedback.label == FeedbackLabel::Clean {
///             self.approvals.fetch_add(1, Ordering::Relaxed);
///         }
///         Ok(())
///     }
/// }
/// let plugin = Counting { approvals: AtomicUsize::new(0) };
/// let feedback = Feedback::new("text/plain", "clean", r#"{"action":"approve"}"#).unwrap();
/// plugin.feedback(&Call::detached(), &feedback, &mut Reader::from_bytes(b"fine")).unwrap();
/// assert_eq!(plugin.approvals.load(Ordering::Relaxed), 1);
/// ```
pub trait ModerationFeedbackPlugin: ModerationPlugin {
    /// Learns from one decision on the content `content` streams. Return
    /// `Error::unsupported` for media you do not learn from.
    fn feedback(&self, call: &Call, feedback: &Feedback, content: &mut Reader) -> Result<(), Error>;
}

impl<T: ModerationFeedbackPlugin> PluginClass<T> {
    /// Offers `kinora.moderation.feedback/1`, served by `T`'s [`ModerationFeedbackPlugin`]
    /// implementation (beside `.moderation()`).
    pub fn moderation_feedback(mut self) -> Self {
        self.moderation_feedback = Some(sys::kn_moderation_feedback_v1_t { feedback: Some(feedback::<T>) });
        self
    }
}

unsafe fn borrowed_str<'a>(p: *const c_char, what: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::invalid_argument(format!("{} is NULL", what)));
    }
    CStr::from_ptr(p).to_str().map_err(|_| Error::invalid_argument(format!("{} is not UTF-8", what)))
}

unsafe extern "C" fn feedback<T: ModerationFeedbackPlugin>(
    plugin: *const sys::kn_plugin_t,
    call: *const sys::kn_call_t,
    media_type: *const c_char,
    content: sys::kn_reader_t,
    label: *const c_char,
    decision_json: *const c_char,
    done: sys::kn_completion_t,
) {
    let done = Completion::from_raw(done);
    let result = guard(|| {
        let feedback =
            Feedback::new(borrowed_str(media_type, "media type")?, borrowed_str(label, "label")?, borrowed_str(decision_json, "decision")?)?;
        let mut reader = Reader::from_raw(content);
        instance::<T>(plugin).feedback(&Call::from_raw(call), &feedback, &mut reader)
    });
    match result {
        Ok(()) => done.succeed(std::ptr::null()),
        Err(e) => done.fail(&e),
    }
}
