//! Links the plugin with Kinora's linker version script so that the .so exports exactly one
//! symbol, `kinora_module_entry_v1` (modules are loaded RTLD_LOCAL and must never resolve each
//! other's helpers). Outside a Kinora checkout the script is written here.
//!
//! Older rustc (Debian 12's 1.63) pass their own anonymous version script to the linker, and
//! GNU ld refuses to combine two ("anonymous version tag cannot be combined with other version
//! tags"). So the script is first tried on a one-line cdylib; when that link fails, rustc's own
//! script, which already exports only `#[no_mangle]` items, is left to do the job (and
//! SDK/rust/check verifies the exports with nm either way).

use std::env;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let shared = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../../c/kinora-plugin.map");
    let map = if shared.exists() {
        shared
    } else {
        let own = out.join("kinora-plugin.map");
        std::fs::write(&own, "{\n  global: kinora_module_entry_v1;\n  local: *;\n};\n").unwrap();
        own
    };
    println!("cargo:rerun-if-changed={}", map.display());
    println!("cargo:rerun-if-changed=build.rs");

    let probe = out.join("probe.rs");
    std::fs::write(&probe, "#[no_mangle] pub extern \"C\" fn kinora_module_entry_v1() {}\n").unwrap();
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let linked = Command::new(rustc)
        .args(["--crate-type", "cdylib", "--crate-name", "kinora_map_probe", "--out-dir"])
        .arg(&out)
        .arg(format!("-Clink-arg=-Wl,--version-script={}", map.display()))
        .arg(&probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if linked {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={}", map.display());
    }
}
