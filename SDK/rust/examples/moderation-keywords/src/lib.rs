//! An example Kinora moderation plugin written with the `kinora-plugin` crate: it flags
//! `text/plain` input that contains any of the configured keywords (whole words, ignoring
//! case) with one label, `keywords`, listing the keywords found.
//!
//! Instance settings (`plugins.d/<instance>.toml`):
//! ```toml
//! plugin = "org.kinora.example.moderation-keywords"
//! [settings]
//! words = ["spoiler", "free money"]
//! max_bytes = 1048576        # optional
//! ```

use kinora_plugin::{essence, export_module, json, Call, Descriptor, Error, Host, ModerationPlugin, Module, Plugin, PluginClass, Reader, Verdict};

pub const PLUGIN_ID: &str = "org.kinora.example.moderation-keywords";

/// The settings' schema: the host validates `[settings]` against it and fills the defaults,
/// so `create` always receives `words` and `max_bytes`.
pub const SCHEMA: &str = r#"{"type":"object","additionalProperties":false,"required":["words"],"properties":{
"words":{"type":"array","items":{"type":"string","minLength":1},"description":"Words or phrases to flag, matched as whole words ignoring case."},
"max_bytes":{"type":"integer","minimum":1,"maximum":67108864,"default":1048576,"description":"Largest text accepted, in bytes."}}}"#;

/// One instance: the keywords, each split into lower-case words.
pub struct Keywords {
    words: Vec<(String, Vec<String>)>,
    max_bytes: usize,
}

/// Lower-cased runs of letters and digits: "Free-MONEY!" -> ["free", "money"].
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(|t| t.to_lowercase()).collect()
}

impl Keywords {
    /// The configured keywords found in `text`, in configuration order.
    pub fn matches(&self, text: &str) -> Vec<String> {
        let words = tokens(text);
        self.words
            .iter()
            .filter(|(_, phrase)| !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase.as_slice()))
            .map(|(original, _)| original.clone())
            .collect()
    }
}

impl Plugin for Keywords {
    fn create(host: Host, config_json: &str) -> Result<Self, Error> {
        let settings = json::parse(config_json).map_err(Error::config)?;
        let list = settings.get("words").and_then(|w| w.as_array()).ok_or_else(|| Error::config("words: expected an array of strings"))?;
        let mut words = Vec::new();
        for (i, word) in list.iter().enumerate() {
            let word = word.as_str().filter(|w| !tokens(w).is_empty());
            let word = word.ok_or_else(|| Error::config(format!("words[{}]: expected a string with a letter or digit", i)))?;
            if !words.iter().any(|(w, _)| w == word) {
                words.push((word.to_string(), tokens(word)));
            }
        }
        let max_bytes = match settings.get("max_bytes") {
            None => 1 << 20,
            Some(n) => n.as_i64().filter(|&n| n >= 1).ok_or_else(|| Error::config("max_bytes: expected a positive integer"))? as usize,
        };
        // The words are configuration, not user content: logging how many is fine.
        host.info(&format!("flagging {} keyword(s)", words.len()));
        Ok(Keywords { words, max_bytes })
    }
}

impl ModerationPlugin for Keywords {
    fn classify(&self, call: &Call, media_type: &str, media: &mut Reader) -> Result<Verdict, Error> {
        if essence(media_type) != "text/plain" {
            return Err(Error::unsupported(format!("only text/plain is classified, not {}", media_type)));
        }
        let bytes = media.read_all(self.max_bytes)?; // a reader failure keeps its own code
        call.check()?;
        let text = String::from_utf8(bytes)
            .map_err(|e| Error::invalid_argument(format!("the text is not UTF-8 (byte {})", e.utf8_error().valid_up_to())))?;
        let mut verdict = Verdict::new();
        let found = self.matches(&text);
        if !found.is_empty() {
            verdict.add("keywords", 1.0, found);
        }
        Ok(verdict)
    }
}

fn module() -> Module {
    let descriptor = Descriptor::new(PLUGIN_ID, "Keyword moderation (Rust example)")
        .vendor("Kinora")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Flags text/plain input containing configured keywords (whole words, any case).")
        .config_schema(SCHEMA);
    Module::new().plugin(PluginClass::<Keywords>::new(descriptor).moderation())
}

export_module!(module);

#[cfg(test)]
mod tests {
    use super::*;
    use kinora_plugin::Status;

    fn plugin(config: &str) -> Result<Keywords, Error> {
        Keywords::create(unsafe { Host::from_raw(std::ptr::null()) }, config)
    }

    fn classify(p: &Keywords, media_type: &str, text: &[u8]) -> Result<String, Error> {
        p.classify(&Call::detached(), media_type, &mut Reader::from_bytes(text)).map(|v| v.to_json())
    }

    #[test]
    fn flags_whole_words_and_phrases_ignoring_case() {
        let p = plugin(r#"{"words":["spoiler","free money","ass"],"max_bytes":100}"#).unwrap();
        let json = classify(&p, "text/plain; charset=utf-8", "Big SPOILER: get Free-Money in class".as_bytes()).unwrap();
        assert_eq!(json, r#"{"labels":[{"name":"keywords","score":1.0,"matches":["spoiler","free money"]}]}"#);
        assert_eq!(classify(&p, "text/plain", b"all clear").unwrap(), r#"{"labels":[]}"#);
    }

    #[test]
    fn refuses_other_types_oversized_and_undecodable_text() {
        let p = plugin(r#"{"words":["x"],"max_bytes":4}"#).unwrap();
        assert_eq!(classify(&p, "image/jpeg", b"x").unwrap_err().status(), Status::UNSUPPORTED);
        assert_eq!(classify(&p, "text/plain", b"x x x").unwrap_err().status(), Status::INVALID_ARGUMENT);
        assert_eq!(classify(&p, "text/plain", b"\xff").unwrap_err().status(), Status::INVALID_ARGUMENT);
    }

    #[test]
    fn bad_settings_are_config_errors() {
        for bad in [r#"{}"#, r#"{"words":"x"}"#, r#"{"words":[1]}"#, r#"{"words":["--"]}"#, r#"{"words":[],"max_bytes":0}"#, "nope"] {
            assert_eq!(plugin(bad).err().map(|e| e.status()), Some(Status::CONFIG), "{}", bad);
        }
    }

    #[test]
    fn the_schema_is_json() {
        let schema = json::parse(SCHEMA).unwrap();
        assert_eq!(schema.get("additionalProperties").and_then(|v| v.as_bool()), Some(false));
    }
}
