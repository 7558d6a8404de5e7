//! The module entry, the factory and the process-wide module state behind them.

use crate::error::Error;
use crate::host::Host;
use crate::module::{guard, ClassData, Module};
use crate::sys;
use std::ffi::CStr;
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::sync::{Mutex, MutexGuard};

struct State {
    // Boxed: the host holds pointers to the descriptors inside.
    #[allow(clippy::vec_box)]
    classes: Vec<Box<ClassData>>,
    deinit_hook: Option<fn()>,
}

// Raw pointers inside the descriptors point into the State's own heap data.
unsafe impl Send for State {}

static BUILDER: Mutex<Option<fn() -> Module>> = Mutex::new(None);
static STATE: Mutex<Option<State>> = Mutex::new(None);

fn lock<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
    // A panic caught while holding the lock must not wedge the module.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

static ENTRY: sys::kn_module_entry_t = sys::kn_module_entry_t {
    abi: sys::KN_ABI_VERSION_INIT,
    init: Some(module_init),
    deinit: Some(module_deinit),
    get_factory: Some(module_get_factory),
};

static FACTORY: sys::kn_plugin_factory_t =
    sys::kn_plugin_factory_t { count: Some(factory_count), get_descriptor: Some(factory_get_descriptor), create: Some(factory_create) };

/// What `export_module!` calls: remembers the module's builder and returns the entry table.
#[doc(hidden)]
pub fn __entry(builder: fn() -> Module) -> *const sys::kn_module_entry_t {
    *lock(&BUILDER) = Some(builder);
    &ENTRY
}

unsafe fn text<'a>(p: *const c_char) -> &'a str {
    if p.is_null() {
        ""
    } else {
        CStr::from_ptr(p).to_str().unwrap_or("")
    }
}

unsafe extern "C" fn module_init(host: *const sys::kn_host_t, path: *const c_char, err: *mut sys::kn_error_t) -> i32 {
    let path = text(path);
    let result = guard(|| {
        let builder = (*lock(&BUILDER)).ok_or_else(|| Error::internal("init() before kinora_module_entry_v1()"))?;
        let module = builder();
        let (classes, problems, init_hook, deinit_hook) = module.into_parts();
        if !problems.is_empty() {
            return Err(Error::internal(problems.join("; ")));
        }
        if let Some(hook) = init_hook {
            hook(Host::from_raw(host), path)?;
        }
        *lock(&STATE) = Some(State { classes, deinit_hook });
        Ok(())
    });
    match result {
        Ok(()) => sys::KN_OK,
        Err(e) => {
            e.fill(err);
            e.status().code()
        }
    }
}

unsafe extern "C" fn module_deinit() {
    let state = lock(&STATE).take();
    let _ = guard(|| {
        if let Some(state) = state {
            if let Some(hook) = state.deinit_hook {
                hook();
            }
        }
        Ok(())
    });
}

unsafe extern "C" fn module_get_factory(id: *const c_char) -> *const c_void {
    if !id.is_null() && CStr::from_ptr(id).to_bytes() == sys::KN_PLUGIN_FACTORY_ID.as_bytes() {
        &FACTORY as *const _ as *const c_void
    } else {
        ptr::null()
    }
}

unsafe extern "C" fn factory_count(_: *const sys::kn_plugin_factory_t) -> u32 {
    lock(&STATE).as_ref().map_or(0, |s| s.classes.len() as u32)
}

unsafe extern "C" fn factory_get_descriptor(_: *const sys::kn_plugin_factory_t, index: u32) -> *const sys::kn_plugin_descriptor_t {
    match lock(&STATE).as_ref().and_then(|s| s.classes.get(index as usize)) {
        Some(class) => class.descriptor(),
        None => ptr::null(),
    }
}

unsafe extern "C" fn factory_create(
    _: *const sys::kn_plugin_factory_t,
    host: *const sys::kn_host_t,
    plugin_id: *const c_char,
    config_json: *const c_char,
    out: *mut *const sys::kn_plugin_t,
    err: *mut sys::kn_error_t,
) -> i32 {
    let id = text(plugin_id);
    // The class lives in a Box until deinit(), so its address outlives the lock.
    let class = lock(&STATE).as_ref().and_then(|s| s.classes.iter().find(|c| c.id() == id).map(|c| &**c as *const ClassData));
    let result = match class {
        Some(class) => {
            let config = if config_json.is_null() { "{}" } else { text(config_json) };
            guard(|| (*class).create(host, config))
        }
        None => Err(Error::invalid_argument(format!("this module has no plugin {:?}", id))),
    };
    match result {
        Ok(plugin) => {
            if !out.is_null() {
                *out = plugin;
            }
            sys::KN_OK
        }
        Err(e) => {
            e.fill(err);
            e.status().code()
        }
    }
}

/// Exports `kinora_module_entry_v1`, the module's only symbol, for a function (or
/// non-capturing closure) that builds the [`Module`](crate::Module). Use it once per cdylib.
///
/// ```
/// # use kinora_plugin::*;
/// # struct Mine;
/// # impl Plugin for Mine { fn create(_: Host, _: &str) -> Result<Self, Error> { Ok(Mine) } }
/// # impl ModerationPlugin for Mine {
/// #     fn classify(&self, _: &Call, _: &str, _: &mut Reader) -> Result<Verdict, Error> { Ok(Verdict::new()) }
/// # }
/// kinora_plugin::export_module!(|| Module::new()
///     .plugin(PluginClass::<Mine>::new(Descriptor::new("org.example.mine", "Mine")).moderation()));
/// ```
#[macro_export]
macro_rules! export_module {
    ($builder:expr) => {
        /// The module's entry point (plugin ABI 1), generated by `kinora_plugin::export_module!`.
        #[no_mangle]
        pub extern "C" fn kinora_module_entry_v1() -> *const $crate::sys::kn_module_entry_t {
            $crate::__entry($builder)
        }
    };
}
