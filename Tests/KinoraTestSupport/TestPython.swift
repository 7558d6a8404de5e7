import Foundation

extension TestEnvironment {
    /// The python of the tests' virtual environment (`.build/test-venv`, with the PyPI
    /// packages of Tests/Fixtures/python/requirements.txt), made on first use.
    public static func testPython() throws -> String {
        let result = try run("/bin/bash", [pythonFixture("ensure-venv.sh")])
        let python = result.output.split(separator: "\n").last.map(String.init) ?? ""
        guard result.status == 0, FileManager.default.isExecutableFile(atPath: python) else {
            throw TestFailure("could not create the test virtual environment (python3-venv and PyPI needed):\n\(result.output)")
        }
        return python
    }

    /// A script or file under Tests/Fixtures/python.
    public static func pythonFixture(_ name: String) -> String {
        repositoryRoot + "/Tests/Fixtures/python/" + name
    }

    /// Runs Tests/Fixtures/python/check_hls.py on a served master playlist: the `m3u8`
    /// parser's view of it, held to the HLS authoring rules. Returns the problems found.
    /// `authoring` adds the MUST rules of issue 16 (hls_authoring.py), each problem naming
    /// its rule number and quoting the playlist line.
    public static func hlsProblems(masterURL: String, duration: Double, authoring: Bool = false) throws -> [String] {
        try checkerProblems("check_hls.py", [masterURL, String(duration)] + (authoring ? ["--authoring"] : []))
    }

    /// Runs Tests/Fixtures/python/check_dash.py on an MPD (URL or file): the DASH-IF rules.
    public static func dashProblems(mpdURL: String) throws -> [String] {
        try checkerProblems("check_dash.py", [mpdURL])
    }

    private static func checkerProblems(_ script: String, _ arguments: [String]) throws -> [String] {
        let result = try run(try testPython(), [pythonFixture(script)] + arguments)
        guard let line = result.output.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let problems = object["problems"] as? [String]
        else {
            throw TestFailure("\(script) failed (\(result.status)):\n\(result.output)")
        }
        return problems
    }
}
