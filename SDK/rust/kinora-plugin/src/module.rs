//! The module: its plugins (descriptor + Rust type), the factory, instances and the entry
//! point that [`crate::export_module!`] exports.

use crate::error::{panic_message, Error};
use crate::host::Host;
use crate::sys;
use std::ffi::{CStr, CString};
use std::marker::PhantomData;
use std::os::raw::{c_char, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

/// One plugin instance: created from its settings, started, stopped, then dropped (the
/// host's destroy()). The type also implements the traits of the interfaces it offers
/// ([`crate::ModerationPlugin`], [`crate::StoragePlugin`]). Calls arrive concurrently from
/// worker threads unless the descriptor asks for serialized calls, hence `Send + Sync`.
///
/// ```
/// use kinora_plugin::{Error, Host, Plugin};
/// struct Echo { host: Host, prefix: String }
/// impl Plugin for Echo {
///     fn create(host: Host, config_json: &str) -> Result<Self, Error> {
///         // `config_json` was validated against the schema, defaults filled in.
///         let settings = kinora_plugin::json::parse(config_json).map_err(Error::config)?;
///         let prefix = settings.get("prefix").and_then(|v| v.as_str()).unwrap_or("").to_string();
///         Ok(Echo { host, prefix })
///     }
///     fn start(&self) -> Result<(), Error> {
///         self.host.info("started");
///         Ok(())
///     }
/// }
/// ```
pub trait Plugin: Send + Sync + Sized + 'static {
    /// `[main]` Reads the settings and allocates; no slow I/O (that is for `start`). Return
    /// `Error::config(...)` for settings the schema cannot catch.
    fn create(host: Host, config_json: &str) -> Result<Self, Error>;

    /// `[main]` Acquires resources and verifies the backend; may do I/O. On failure the host
    /// drops the instance without calling `stop`.
    fn start(&self) -> Result<(), Error> {
        Ok(())
    }

    /// `[main]` Stops accepting work (called only after a successful `start`).
    fn stop(&self) {}
}

/// The static description of one plugin (`kn_plugin_descriptor_t`). The interface list is
/// filled in from the interfaces registered on its [`PluginClass`].
///
/// ```
/// # use kinora_plugin::Descriptor;
/// let d = Descriptor::new("org.example.moderation-x", "X moderation")
///     .vendor("Example").version("1.0.0").description("Flags X.")
///     .config_schema(r#"{"type":"object","additionalProperties":false,"properties":{}}"#);
/// assert_eq!(d.id(), "org.example.moderation-x");
/// ```
#[derive(Clone, Debug)]
pub struct Descriptor {
    id: String,
    name: String,
    vendor: Option<String>,
    version: Option<String>,
    description: Option<String>,
    url: Option<String>,
    schema: Option<String>,
    flags: u64,
}

impl Descriptor {
    /// `id` is reverse-DNS (`[a-z][a-z0-9._-]*`, at most 128 bytes), `name` a human name.
    pub fn new(id: &str, name: &str) -> Descriptor {
        Descriptor { id: id.to_string(), name: name.to_string(), vendor: None, version: None, description: None, url: None, schema: None, flags: 0 }
    }
    pub fn vendor(mut self, vendor: &str) -> Self {
        self.vendor = Some(vendor.to_string());
        self
    }
    pub fn version(mut self, version: &str) -> Self {
        self.version = Some(version.to_string());
        self
    }
    pub fn description(mut self, description: &str) -> Self {
        self.description = Some(description.to_string());
        self
    }
    pub fn url(mut self, url: &str) -> Self {
        self.url = Some(url.to_string());
        self
    }
    /// The settings' JSON Schema (the subset documented in the guide). Without one the
    /// plugin takes no settings.
    pub fn config_schema(mut self, schema_json: &str) -> Self {
        self.schema = Some(schema_json.to_string());
        self
    }
    /// Sets KN_PLUGIN_FLAG_SERIALIZE_CALLS: one call in flight per instance.
    pub fn serialize_calls(mut self) -> Self {
        self.flags |= sys::KN_PLUGIN_FLAG_SERIALIZE_CALLS;
        self
    }
    pub fn id(&self) -> &str {
        &self.id
    }

    fn problem(&self) -> Option<String> {
        let b = self.id.as_bytes();
        let id_ok = !b.is_empty()
            && b.len() <= 128
            && b[0].is_ascii_lowercase()
            && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'_' || c == b'-');
        if !id_ok {
            return Some(format!("plugin id {:?} is not [a-z][a-z0-9._-]* of at most 128 bytes", self.id));
        }
        if self.name.is_empty() {
            return Some(format!("plugin {}: the name is empty", self.id));
        }
        None
    }
}

/// The module's init hook: the module-level host and the module's path.
pub type InitHook = fn(Host, &str) -> Result<(), Error>;

/// A plugin type with its descriptor and the interfaces it offers. Add interfaces with
/// `.moderation()` / `.moderation_feedback()` / `.storage()` / `.notify()` /
/// `.notify_with_callbacks()`, then `.with_channel_info()` (available when the type
/// implements the trait).
pub struct PluginClass<T> {
    pub(crate) descriptor: Descriptor,
    pub(crate) storage: Option<sys::kn_storage_v1_t>,
    pub(crate) moderation: Option<sys::kn_moderation_v1_t>,
    pub(crate) moderation_feedback: Option<sys::kn_moderation_feedback_v1_t>,
    pub(crate) notify: Option<sys::kn_notify_v1_t>,
    _type: PhantomData<fn() -> T>,
}

impl<T: Plugin> PluginClass<T> {
    pub fn new(descriptor: Descriptor) -> PluginClass<T> {
        PluginClass { descriptor, storage: None, moderation: None, moderation_feedback: None, notify: None, _type: PhantomData }
    }
}

/// The plugins of one module, built by the function given to [`crate::export_module!`]. The
/// kit calls it in the host's init().
///
/// ```
/// use kinora_plugin::{Descriptor, Module, PluginClass};
/// # use kinora_plugin::{Error, Host, Plugin, ModerationPlugin, Call, Reader, Verdict};
/// # struct Mine;
/// # impl Plugin for Mine { fn create(_: Host, _: &str) -> Result<Self, Error> { Ok(Mine) } }
/// # impl ModerationPlugin for Mine {
/// #     fn classify(&self, _: &Call, _: &str, _: &mut Reader) -> Result<Verdict, Error> { Ok(Verdict::new()) }
/// # }
/// fn module() -> Module {
///     Module::new()
///         .plugin(PluginClass::<Mine>::new(Descriptor::new("org.example.mine", "Mine")).moderation())
///         .on_init(|host, path| { host.info(&format!("loaded from {}", path)); Ok(()) })
/// }
/// kinora_plugin::export_module!(module);
/// ```
#[derive(Default)]
pub struct Module {
    // Boxed: instances and the host keep pointers to a class, which must not move.
    #[allow(clippy::vec_box)]
    classes: Vec<Box<ClassData>>,
    problems: Vec<String>,
    init_hook: Option<InitHook>,
    deinit_hook: Option<fn()>,
}

// repr(C) with `raw` first: an instance's `desc` pointer is also its class pointer.
#[repr(C)]
pub(crate) struct ClassData {
    raw: sys::kn_plugin_descriptor_t,
    id: String,
    _strings: Vec<CString>,
    _interfaces: Vec<*const c_char>,
    create: unsafe fn(*const ClassData, *const sys::kn_host_t, &str) -> Result<*const sys::kn_plugin_t, Error>,
    storage: Option<sys::kn_storage_v1_t>,
    moderation: Option<sys::kn_moderation_v1_t>,
    moderation_feedback: Option<sys::kn_moderation_feedback_v1_t>,
    notify: Option<sys::kn_notify_v1_t>,
}

impl Module {
    pub fn new() -> Module {
        Module::default()
    }

    /// Adds a plugin. A bad id, an empty name, a duplicate id or a plugin without any
    /// interface makes init() refuse the module with a message naming the problem.
    pub fn plugin<T: Plugin>(mut self, class: PluginClass<T>) -> Module {
        let d = &class.descriptor;
        if let Some(problem) = d.problem() {
            self.problems.push(problem);
        }
        if self.classes.iter().any(|c| c.id == d.id) {
            self.problems.push(format!("plugin id {} is declared twice", d.id));
        }
        let mut ids: Vec<&str> = Vec::new();
        if class.storage.is_some() {
            ids.push(sys::KN_STORAGE_ID);
        }
        if class.moderation.is_some() {
            ids.push(sys::KN_MODERATION_ID);
        }
        if class.moderation_feedback.is_some() {
            ids.push(sys::KN_MODERATION_FEEDBACK_ID);
        }
        if class.notify.is_some() {
            ids.push(sys::KN_NOTIFY_ID);
        }
        if ids.is_empty() {
            self.problems.push(format!("plugin {} offers no interface", d.id));
        }
        let text = |s: &str| CString::new(s.replace('\0', " ")).unwrap_or_default();
        let mut strings: Vec<CString> = Vec::new();
        let mut keep = |s: Option<&String>| -> *const c_char {
            match s {
                Some(s) => {
                    strings.push(text(s));
                    strings.last().map_or(ptr::null(), |c| c.as_ptr())
                }
                None => ptr::null(),
            }
        };
        let id = keep(Some(&d.id));
        let name = keep(Some(&d.name));
        let (vendor, version) = (keep(d.vendor.as_ref()), keep(d.version.as_ref()));
        let (description, url, schema) = (keep(d.description.as_ref()), keep(d.url.as_ref()), keep(d.schema.as_ref()));
        let mut interfaces: Vec<*const c_char> = Vec::new();
        for i in &ids {
            strings.push(text(i));
            interfaces.push(strings.last().map_or(ptr::null(), |c| c.as_ptr()));
        }
        interfaces.push(ptr::null());
        // CString and Vec contents live on the heap, so the pointers survive moving them here.
        let raw = sys::kn_plugin_descriptor_t {
            abi: sys::KN_ABI_VERSION_INIT,
            id,
            name,
            vendor,
            version,
            description,
            url,
            interfaces: interfaces.as_ptr(),
            config_schema_json: schema,
            flags: d.flags,
        };
        self.classes.push(Box::new(ClassData {
            raw,
            id: d.id.clone(),
            _strings: strings,
            _interfaces: interfaces,
            create: create_instance::<T>,
            storage: class.storage,
            moderation: class.moderation,
            moderation_feedback: class.moderation_feedback,
            notify: class.notify,
        }));
        self
    }

    /// Runs in the host's init() (`[main]`, fast, no network) with the module-level host and
    /// the module's path. An error refuses the module.
    pub fn on_init(mut self, hook: InitHook) -> Module {
        self.init_hook = Some(hook);
        self
    }

    /// Runs in the host's deinit(), after every instance is destroyed.
    pub fn on_deinit(mut self, hook: fn()) -> Module {
        self.deinit_hook = Some(hook);
        self
    }
}

impl Module {
    #[allow(clippy::vec_box, clippy::type_complexity)]
    pub(crate) fn into_parts(self) -> (Vec<Box<ClassData>>, Vec<String>, Option<InitHook>, Option<fn()>) {
        (self.classes, self.problems, self.init_hook, self.deinit_hook)
    }
}

impl ClassData {
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
    pub(crate) fn descriptor(&self) -> *const sys::kn_plugin_descriptor_t {
        &self.raw
    }
    pub(crate) unsafe fn create(&self, host: *const sys::kn_host_t, config: &str) -> Result<*const sys::kn_plugin_t, Error> {
        (self.create)(self, host, config)
    }
}

/// Runs `f`, turning a panic into KN_E_INTERNAL: a panic must never unwind into the host.
pub(crate) fn guard<R>(f: impl FnOnce() -> Result<R, Error>) -> Result<R, Error> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(Error::internal(panic_message(&*payload))),
    }
}

/// A live instance: the `kn_plugin_t` the host holds, its class, and the plugin's value.
pub(crate) struct Instance<T> {
    raw: sys::kn_plugin_t,
    pub(crate) value: T,
    /// channel_info's answer, made on the first call and kept until destroy().
    pub(crate) channel_info: std::sync::OnceLock<std::ffi::CString>,
}

/// The kit's record of an instance (its value and what the kit keeps for it).
pub(crate) unsafe fn instance_record<'a, T>(plugin: *const sys::kn_plugin_t) -> &'a Instance<T> {
    &*((*plugin).plugin_data as *const Instance<T>)
}

/// The plugin value behind a `kn_plugin_t` the kit created for `T`.
pub(crate) unsafe fn instance<'a, T>(plugin: *const sys::kn_plugin_t) -> &'a T {
    &(*((*plugin).plugin_data as *const Instance<T>)).value
}

unsafe fn create_instance<T: Plugin>(class: *const ClassData, host: *const sys::kn_host_t, config: &str) -> Result<*const sys::kn_plugin_t, Error> {
    let value = T::create(Host::from_raw(host), config)?;
    let raw = sys::kn_plugin_t {
        desc: &(*class).raw,
        plugin_data: ptr::null_mut(),
        start: Some(instance_start::<T>),
        stop: Some(instance_stop::<T>),
        destroy: Some(instance_destroy::<T>),
        get_interface: Some(instance_get_interface),
    };
    let boxed = Box::into_raw(Box::new(Instance { raw, value, channel_info: std::sync::OnceLock::new() }));
    (*boxed).raw.plugin_data = boxed as *mut c_void;
    Ok(&(*boxed).raw)
}

unsafe extern "C" fn instance_start<T: Plugin>(plugin: *const sys::kn_plugin_t, err: *mut sys::kn_error_t) -> i32 {
    match guard(|| instance::<T>(plugin).start()) {
        Ok(()) => sys::KN_OK,
        Err(e) => {
            e.fill(err);
            e.status().code()
        }
    }
}

unsafe extern "C" fn instance_stop<T: Plugin>(plugin: *const sys::kn_plugin_t) {
    let _ = guard(|| {
        instance::<T>(plugin).stop();
        Ok(())
    });
}

unsafe extern "C" fn instance_destroy<T: Plugin>(plugin: *const sys::kn_plugin_t) {
    let boxed = (*plugin).plugin_data as *mut Instance<T>;
    let _ = guard(|| {
        drop(Box::from_raw(boxed));
        Ok(())
    });
}

unsafe extern "C" fn instance_get_interface(plugin: *const sys::kn_plugin_t, id: *const c_char) -> *const c_void {
    if plugin.is_null() || id.is_null() {
        return ptr::null();
    }
    // Not generic over T: the class is found through the descriptor, the first field of ClassData.
    let class = &*((*plugin).desc as *const ClassData);
    let id = CStr::from_ptr(id).to_bytes();
    if id == sys::KN_STORAGE_ID.as_bytes() {
        if let Some(t) = class.storage.as_ref() {
            return t as *const _ as *const c_void;
        }
    }
    if id == sys::KN_MODERATION_ID.as_bytes() {
        if let Some(t) = class.moderation.as_ref() {
            return t as *const _ as *const c_void;
        }
    }
    if id == sys::KN_MODERATION_FEEDBACK_ID.as_bytes() {
        if let Some(t) = class.moderation_feedback.as_ref() {
            return t as *const _ as *const c_void;
        }
    }
    if id == sys::KN_NOTIFY_ID.as_bytes() {
        if let Some(t) = class.notify.as_ref() {
            return t as *const _ as *const c_void;
        }
    }
    ptr::null()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;
    impl Plugin for Nothing {
        fn create(_: Host, _: &str) -> Result<Self, Error> {
            Ok(Nothing)
        }
    }

    #[test]
    fn a_malformed_module_is_refused_with_every_reason() {
        let module = Module::new()
            .plugin(PluginClass::<Nothing>::new(Descriptor::new("Org.Bad Id", "Bad")))
            .plugin(PluginClass::<Nothing>::new(Descriptor::new("org.ok", "")))
            .plugin(PluginClass::<Nothing>::new(Descriptor::new("org.ok", "Again")));
        let (_, problems, _, _) = module.into_parts();
        let text = problems.join("\n");
        assert!(text.contains("plugin id \"Org.Bad Id\" is not [a-z][a-z0-9._-]*"), "{}", text);
        assert!(text.contains("plugin org.ok: the name is empty"), "{}", text);
        assert!(text.contains("plugin id org.ok is declared twice"), "{}", text);
        assert!(text.contains("plugin org.ok offers no interface"), "{}", text);
    }
}
