//! An example Kinora notify channel written with the `kinora-plugin` crate: a webhook that
//! posts to a file. Each message becomes one JSON line, `{"id":KEY,"message":{...}}`, appended
//! to the file the settings name, where another program (a chat bridge, a test) picks it up.
//! The address kind is "none": every message goes to that one file.
//!
//! Delivery is at least once, so the channel writes a message once per idempotency key: the
//! keys already in the file are read at start(), and a resend after a crash is answered
//! "delivered" without a second line.
//!
//! Instance settings (`plugins.d/<instance>.toml`):
//! ```toml
//! plugin = "org.kinora.example.notify-file"
//! [settings]
//! path = "/var/lib/kinora/notifications.jsonl"
//! ```

use kinora_plugin::{export_module, json, AddressKind, Call, Descriptor, Error, Host, Message, Module, NotifyPlugin, Outcome, Plugin, PluginClass};
use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::sync::Mutex;

pub const PLUGIN_ID: &str = "org.kinora.example.notify-file";

/// The settings' schema: the host validates `[settings]` against it.
pub const SCHEMA: &str = r#"{"type":"object","additionalProperties":false,"required":["path"],"properties":{
"path":{"type":"string","minLength":1,"description":"The file each message is appended to, one JSON line per message."}}}"#;

/// One instance: the file, and the idempotency keys already written to it.
pub struct FileChannel {
    path: String,
    host: Host,
    written: Mutex<HashSet<String>>,
}

/// The line for one message. The host sends compact JSON; a newline outside a string would
/// still be whitespace, so turning it into a space keeps one message on one line.
fn line(message: &Message) -> String {
    let mut out = String::from("{\"id\":");
    json::write_string(&mut out, &message.idempotency_key);
    out.push_str(",\"message\":");
    out.push_str(&message.json.replace(['\n', '\r'], " "));
    out.push('}');
    out
}

impl Plugin for FileChannel {
    fn create(host: Host, config_json: &str) -> Result<Self, Error> {
        let settings = json::parse(config_json).map_err(Error::config)?;
        let path =
            settings.get("path").and_then(|p| p.as_str()).filter(|p| !p.is_empty()).ok_or_else(|| Error::config("path: expected a file name"))?;
        Ok(FileChannel { path: path.to_string(), host, written: Mutex::new(HashSet::new()) })
    }

    /// Reads the keys already delivered, so a resend after a restart is not written twice.
    fn start(&self) -> Result<(), Error> {
        let file = match std::fs::File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(format!("reading {}: {}", self.path, e))),
        };
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        for text in BufReader::new(file).lines() {
            let text = text.map_err(|e| Error::io(format!("reading {}: {}", self.path, e)))?;
            // A line cut short by a crash mid-write is skipped: its message is sent again.
            if let Some(id) = json::parse(&text).ok().and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_string)) {
                written.insert(id);
            }
        }
        self.host.info(&format!("{} message(s) already in {}", written.len(), self.path));
        Ok(())
    }
}

impl NotifyPlugin for FileChannel {
    fn address_kind(&self) -> AddressKind {
        AddressKind::None
    }

    fn send(&self, call: &Call, message: &Message) -> Result<Outcome, Error> {
        // One writer at a time, so lines never interleave and a key is checked and written at once.
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if written.contains(&message.idempotency_key) {
            return Ok(Outcome::delivered(Some(&message.idempotency_key)));
        }
        call.check()?;
        // An I/O error comes back to the kit, which reports it as a retryable outcome.
        let mut file =
            OpenOptions::new().create(true).append(true).open(&self.path).map_err(|e| Error::io(format!("opening {}: {}", self.path, e)))?;
        file.write_all(format!("{}\n", line(message)).as_bytes()).map_err(|e| Error::io(format!("writing {}: {}", self.path, e)))?;
        written.insert(message.idempotency_key.clone());
        Ok(Outcome::delivered(Some(&message.idempotency_key)))
    }
}

fn module() -> Module {
    let descriptor = Descriptor::new(PLUGIN_ID, "Notifications to a file (Rust example)")
        .vendor("Kinora")
        .version(env!("CARGO_PKG_VERSION"))
        .description("A notify channel that appends each message to a file as one JSON line, once per idempotency key.")
        .config_schema(SCHEMA);
    Module::new().plugin(PluginClass::<FileChannel>::new(descriptor).notify())
}

export_module!(module);

#[cfg(test)]
mod tests {
    use super::*;
    use kinora_plugin::Status;

    fn channel(path: &str) -> FileChannel {
        let config = format!(r#"{{"path":{:?}}}"#, path);
        let c = FileChannel::create(unsafe { Host::from_raw(std::ptr::null()) }, &config).unwrap();
        c.start().unwrap();
        c
    }

    fn scratch(name: &str) -> String {
        let path = std::env::temp_dir().join(format!("kinora-notify-file-{}-{}.jsonl", name, std::process::id()));
        let _ = std::fs::remove_file(&path);
        path.to_string_lossy().into_owned()
    }

    fn message(key: &str, text: &str) -> Message {
        let mut json = String::from(r#"{"subject":"New video","event":"video.published","idempotency_key":"#);
        json::write_string(&mut json, key);
        json.push_str(",\"text\":");
        json::write_string(&mut json, text);
        json.push('}');
        Message::parse(&json).unwrap()
    }

    #[test]
    fn each_key_is_written_once_even_across_a_restart() {
        let path = scratch("once");
        let c = channel(&path);
        assert_eq!(c.send(&Call::detached(), &message("k1", "first\nline")).unwrap(), Outcome::delivered(Some("k1")));
        assert_eq!(c.send(&Call::detached(), &message("k1", "first\nline")).unwrap(), Outcome::delivered(Some("k1")));
        c.send(&Call::detached(), &message("k2", "second")).unwrap();
        // A new instance (the daemon restarted) knows both keys.
        let again = channel(&path);
        again.send(&Call::detached(), &message("k2", "second")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{}", text);
        let first = json::parse(lines[0]).unwrap();
        assert_eq!(first.get("id").and_then(|v| v.as_str()), Some("k1"));
        assert_eq!(first.get("message").and_then(|m| m.get("text")).and_then(|t| t.as_str()), Some("first\nline"));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn an_unwritable_file_is_an_io_error_and_bad_settings_are_config_errors() {
        let c = channel("/nonexistent-dir/notifications.jsonl");
        let e = c.send(&Call::detached(), &message("k1", "x")).unwrap_err();
        assert_eq!(e.status(), Status::IO);
        assert!(e.message().contains("opening /nonexistent-dir/notifications.jsonl"), "{}", e);
        for bad in [r#"{}"#, r#"{"path":""}"#, r#"{"path":3}"#, "nope"] {
            let made = FileChannel::create(unsafe { Host::from_raw(std::ptr::null()) }, bad);
            assert_eq!(made.err().map(|e| e.status()), Some(Status::CONFIG), "{}", bad);
        }
    }

    #[test]
    fn the_schema_is_json() {
        let schema = json::parse(SCHEMA).unwrap();
        assert_eq!(schema.get("required").and_then(|v| v.as_array()).map(|a| a.len()), Some(1));
    }
}
