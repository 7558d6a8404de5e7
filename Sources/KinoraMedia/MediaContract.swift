// The values the worker prints and the daemon reads (renditions, probe results, thumbnails,
// ladder steps) live in KinoraMediaContract, which both sides share; re-exported so code that
// imports KinoraMedia speaks them without a second import.
@_exported import KinoraMediaContract
