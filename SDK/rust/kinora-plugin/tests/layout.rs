//! The Rust bindings must match the C header byte for byte. This test compiles a C program
//! against `kinora/plugin.h` with `cc`, which prints the size and alignment of every struct,
//! the offset and size of every field and the value of every constant; the Rust side prints the same
//! lines from `sys`, and the two listings must be equal. It also checks that no struct of the
//! header is missing from the list, so a struct added to the header fails here until bound.
//!
//! The header is taken from `$KINORA_PLUGIN_INCLUDE`, else from `../../c/abi/include` next to
//! this crate (a checkout), else from /usr/include (an installed kinora-plugin-dev).

use kinora_plugin::sys::*;
use std::mem::{align_of, size_of, MaybeUninit};
use std::path::PathBuf;
use std::process::Command;

/// Lines "type size N align A" and "type.field offset O size S", with the C program's printf calls.
struct Listing {
    rust: Vec<String>,
    c: Vec<String>,
    structs: Vec<String>,
}

fn pointee_size<T>(_: *const T) -> usize {
    size_of::<T>()
}

macro_rules! structs {
    ($listing:ident; $($ty:ident { $($field:ident),* $(,)? })*) => {$(
        $listing.structs.push(stringify!($ty).to_string());
        $listing.rust.push(format!("{} size {} align {}", stringify!($ty), size_of::<$ty>(), align_of::<$ty>()));
        $listing.c.push(format!(
            "printf(\"{0} size %zu align %zu\\n\", sizeof({0}), _Alignof({0}));", stringify!($ty)));
        $(
            let value = MaybeUninit::<$ty>::uninit();
            let base = value.as_ptr() as usize;
            // addr_of! takes the field's address without reading the uninitialized memory.
            let field = unsafe { std::ptr::addr_of!((*value.as_ptr()).$field) };
            $listing.rust.push(format!(
                "{}.{} offset {} size {}", stringify!($ty), stringify!($field), field as usize - base, pointee_size(field)));
            $listing.c.push(format!(
                "printf(\"{0}.{1} offset %zu size %zu\\n\", offsetof({0}, {1}), sizeof((({0} *)0)->{1}));",
                stringify!($ty), stringify!($field)));
        )*
    )*};
}

macro_rules! integers {
    ($listing:ident; $($name:ident),* $(,)?) => {$(
        $listing.rust.push(format!("{} = {}", stringify!($name), $name as i64));
        $listing.c.push(format!("printf(\"{0} = %lld\\n\", (long long)({0}));", stringify!($name)));
    )*};
}

macro_rules! strings {
    ($listing:ident; $($name:ident),* $(,)?) => {$(
        $listing.rust.push(format!("{} = {}", stringify!($name), $name));
        $listing.c.push(format!("printf(\"{0} = %s\\n\", {0});", stringify!($name)));
    )*};
}

fn listing() -> Listing {
    let mut l = Listing { rust: Vec::new(), c: Vec::new(), structs: Vec::new() };
    structs! { l;
        kn_version_t { major, minor, patch }
        kn_error_t { code, detail, message }
        kn_call_t { request_id, deadline_unix_ns, host_ctx, is_cancelled }
        kn_completion_t { ctx, complete }
        kn_reader_t { ctx, read, size_hint, fd }
        kn_writer_t { ctx, write }
        kn_host_t { abi, host_data, name, version, instance, log, get_service }
        kn_host_metrics_v1_t { register_metric, record }
        kn_host_events_v1_t { emit }
        kn_host_secrets_v1_t { get }
        kn_plugin_descriptor_t { abi, id, name, vendor, version, description, url, interfaces, config_schema_json, flags }
        kn_plugin_t { desc, plugin_data, start, stop, destroy, get_interface }
        kn_plugin_factory_t { count, get_descriptor, create }
        kn_module_entry_t { abi, init, deinit, get_factory }
        kn_object_info_t { key, size, mtime_unix_ns, etag, content_type }
        kn_object_list_t { items, count, next_cursor }
        kn_storage_v1_t { put, get, stat, remove, list }
        kn_storage_presign_v1_t { presign }
        kn_storage_localfile_v1_t { local_path }
        kn_manifest_file_t { name, media_type, data, size }
        kn_manifest_set_t { files, count, entry }
        kn_packager_v1_t { package }
        kn_packager_growing_v1_t { package_growing }
        kn_moderation_v1_t { classify }
        kn_moderation_feedback_v1_t { feedback }
        kn_notify_v1_t { address_kind, send, parse_callback, channel_info }
    }
    integers! { l;
        KN_ABI_MAJOR, KN_ABI_MINOR, KN_OK, KN_E_INVALID_ARGUMENT, KN_E_NOT_FOUND, KN_E_ALREADY_EXISTS,
        KN_E_PERMISSION, KN_E_UNAVAILABLE, KN_E_TIMEOUT, KN_E_CANCELLED, KN_E_UNSUPPORTED, KN_E_IO,
        KN_E_NO_MEMORY, KN_E_CONFIG, KN_E_INTERNAL, KN_E_NO_SPACE, KN_ERROR_MESSAGE_MAX, KN_LOG_TRACE,
        KN_LOG_DEBUG, KN_LOG_INFO, KN_LOG_WARN, KN_LOG_ERROR, KN_METRIC_COUNTER, KN_METRIC_GAUGE,
        KN_METRIC_HISTOGRAM, KN_PLUGIN_FLAG_SERIALIZE_CALLS, KN_STORAGE_KEY_MAX,
    }
    strings! { l;
        KN_HOST_METRICS_ID, KN_HOST_EVENTS_ID, KN_HOST_SECRETS_ID, KN_PLUGIN_FACTORY_ID, KN_ENTRY_SYMBOL,
        KN_STORAGE_ID, KN_STORAGE_PRESIGN_ID, KN_STORAGE_LOCALFILE_ID, KN_PACKAGER_ID, KN_PACKAGER_GROWING_ID,
        KN_MODERATION_ID, KN_MODERATION_FEEDBACK_ID, KN_FEEDBACK_CLEAN, KN_FEEDBACK_VIOLATION,
        KN_NOTIFY_ID, KN_NOTIFY_DELIVERED, KN_NOTIFY_RETRYABLE, KN_NOTIFY_PERMANENT,
    }
    // The header's initializer and inline function, checked through the C compiler too.
    l.rust.push(format!("KN_ABI_VERSION_INIT = {}.{}.{}", KN_ABI_VERSION_INIT.major, KN_ABI_VERSION_INIT.minor, KN_ABI_VERSION_INIT.patch));
    l.c.push("{ kn_version_t v = KN_ABI_VERSION_INIT; printf(\"KN_ABI_VERSION_INIT = %u.%u.%u\\n\", v.major, v.minor, v.patch); }".into());
    for code in -14..=1 {
        l.rust.push(format!("kn_status_string({}) = {}", code, kn_status_string(code)));
        l.c.push(format!("printf(\"kn_status_string({0}) = %s\\n\", kn_status_string({0}));", code));
    }
    l
}

fn include_dir() -> PathBuf {
    match std::env::var_os("KINORA_PLUGIN_INCLUDE") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../c/abi/include");
            if checkout.join("kinora/plugin.h").exists() {
                checkout
            } else {
                PathBuf::from("/usr/include") // the crate source installed beside the header
            }
        }
    }
}

#[test]
fn every_struct_field_and_constant_matches_the_c_header() {
    let l = listing();
    let include = include_dir();
    let header = include.join("kinora/plugin.h");
    let header_text =
        std::fs::read_to_string(&header).unwrap_or_else(|e| panic!("cannot read {} ({}); set KINORA_PLUGIN_INCLUDE", header.display(), e));

    // Every `} name_t;` typedef'd struct in the header must be in the listing above.
    let declared: Vec<String> = header_text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("} ").and_then(|rest| rest.strip_suffix(';')).map(str::to_string))
        .filter(|name| name.starts_with("kn_"))
        .collect();
    let unbound: Vec<&String> = declared.iter().filter(|name| !l.structs.contains(name)).collect();
    assert!(unbound.is_empty(), "structs in plugin.h with no Rust binding checked here: {:?}", unbound);
    assert_eq!(declared.len(), l.structs.len(), "the header declares {:?}", declared);

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layout");
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("layout.c");
    let program =
        format!("#include <stdio.h>\n#include <stddef.h>\n#include <kinora/plugin.h>\nint main(void) {{\n{}\nreturn 0;\n}}\n", l.c.join("\n"));
    std::fs::write(&source, program).unwrap();
    let binary = dir.join("layout");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let compiled = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Werror", "-o"])
        .arg(&binary)
        .arg(&source)
        .arg("-I")
        .arg(&include)
        .output()
        .unwrap_or_else(|e| panic!("the layout test needs a C compiler: cannot run `{}` ({}); install gcc or set CC", cc, e));
    assert!(compiled.status.success(), "cc failed:\n{}", String::from_utf8_lossy(&compiled.stderr));
    let run = Command::new(&binary).output().expect("run the layout program");
    assert!(run.status.success());
    let c_lines: Vec<String> = String::from_utf8(run.stdout).unwrap().lines().map(str::to_string).collect();

    assert_eq!(c_lines.len(), l.rust.len());
    let mismatches: Vec<String> =
        c_lines.iter().zip(l.rust.iter()).filter(|(c, r)| c != r).map(|(c, r)| format!("  C:    {}\n  Rust: {}", c, r)).collect();
    assert!(mismatches.is_empty(), "layout differs from {}:\n{}", header.display(), mismatches.join("\n"));
    // A sanity floor: the listing really covers the header (26 structs, ~95 fields).
    assert!(l.rust.len() > 150, "{} lines", l.rust.len());
}
