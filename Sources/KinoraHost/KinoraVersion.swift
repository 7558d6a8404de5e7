/// The daemon's version; `VERSION` at the repository root says the same (a test checks).
public let kinoraVersion = "0.1.0"
