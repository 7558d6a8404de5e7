//! Write Kinora plugin modules (plugin ABI 1, `kinora/plugin.h`) in Rust, without touching a
//! raw pointer.
//!
//! A module is a `cdylib` that exports one function, `kinora_module_entry_v1`. With this crate
//! you implement [`Plugin`] (create from settings, start, stop; drop is destroy) and the trait
//! of each interface the plugin offers ([`ModerationPlugin`], [`StoragePlugin`],
//! [`NotifyPlugin`]), describe it
//! with a [`Descriptor`], and export the module with [`export_module!`]. The kit builds the C
//! tables, copies errors into the host's `kn_error_t`, completes every call exactly once, and
//! turns a panic into `KN_E_INTERNAL` instead of letting it unwind into the daemon.
//!
//! ```
//! use kinora_plugin::*;
//!
//! struct Spoilers { word: String }
//!
//! impl Plugin for Spoilers {
//!     fn create(host: Host, config_json: &str) -> Result<Self, Error> {
//!         let settings = json::parse(config_json).map_err(Error::config)?;
//!         let word = settings.get("word").and_then(|w| w.as_str()).unwrap_or("spoiler").to_lowercase();
//!         host.info(&format!("flagging {:?}", word));
//!         Ok(Spoilers { word })
//!     }
//! }
//!
//! impl ModerationPlugin for Spoilers {
//!     fn classify(&self, _call: &Call, media_type: &str, media: &mut Reader) -> Result<Verdict, Error> {
//!         if essence(media_type) != "text/plain" {
//!             return Err(Error::unsupported(format!("cannot classify {}", media_type)));
//!         }
//!         let text = String::from_utf8_lossy(&media.read_all(1 << 20)?).to_lowercase();
//!         let mut verdict = Verdict::new();
//!         if text.contains(&self.word) {
//!             verdict.add("spoiler", 1.0, vec![self.word.clone()]);
//!         }
//!         Ok(verdict)
//!     }
//! }
//!
//! fn module() -> Module {
//!     Module::new().plugin(
//!         PluginClass::<Spoilers>::new(
//!             Descriptor::new("org.example.spoilers", "Spoiler moderation")
//!                 .version("1.0.0")
//!                 .config_schema(r#"{"type":"object","additionalProperties":false,
//!                     "properties":{"word":{"type":"string","default":"spoiler"}}}"#),
//!         )
//!         .moderation(),
//!     )
//! }
//!
//! export_module!(module);
//! ```
//!
//! Build with `crate-type = ["cdylib"]` and keep `panic = "unwind"` (the default): with
//! `panic = "abort"` a panic ends the daemon. [`sys`] holds the raw bindings of the whole
//! header for interfaces the safe layer does not cover yet.

pub mod sys;

mod completion;
mod entry;
mod error;
mod host;
mod io;
pub mod json;
mod moderation;
mod module;
mod notify;
mod storage;

pub use completion::Completion;
#[doc(hidden)]
pub use entry::__entry;
pub use error::{Error, Status};
pub use host::{Host, Level, Metric, MetricKind};
pub use io::{Call, Reader, Writer};
pub use moderation::{essence, Feedback, FeedbackLabel, Label, ModerationFeedbackPlugin, ModerationPlugin, Verdict};
pub use module::{Descriptor, InitHook, Module, Plugin, PluginClass};
pub use notify::{
    AddressKind, CallbackRequest, DeliveryReport, DeliveryStatus, Message, NotifyCallbackPlugin, NotifyPlugin, Outcome, Recipient,
    WebPushSubscription,
};
pub use storage::{validate_key, ObjectInfo, ObjectList, StoragePlugin};
