/// A bar chart as numbers for the dashboard template's inline SVG: the server does the layout,
/// the template prints `{{ }}` values into `<rect>` and `<text>`, and no script is involved.
enum AdminChart {
    static let width = 560.0
    static let height = 200.0
    static let plotTop = 20.0
    static let plotBottom = 170.0

    static func bars(_ series: [(label: String, value: Int)]) -> [String: Any] {
        let slot = width / Double(max(series.count, 1))
        let top = Double(max(series.map(\.value).max() ?? 0, 1))
        let bars = series.enumerated().map { index, point -> [String: Any] in
            let barHeight = (plotBottom - plotTop) * Double(point.value) / top
            let x = Double(index) * slot
            return [
                "x": format(x + slot * 0.15), "y": format(plotBottom - barHeight), "width": format(slot * 0.7),
                "height": format(barHeight), "center": format(x + slot / 2), "valueY": format(plotBottom - barHeight - 4),
                "value": point.value, "hasValue": point.value > 0, "label": String(point.label.suffix(5)), "date": point.label,
                // Every other date label, so they fit at phone width.
                "showLabel": index % 2 == (series.count - 1) % 2,
            ]
        }
        return [
            "bars": bars, "viewBox": "0 0 \(Int(width)) \(Int(height))", "baseline": format(plotBottom), "labelY": format(height - 8),
            "total": series.reduce(0) { $0 + $1.value }, "empty": series.allSatisfy { $0.value == 0 }, "days": series.count,
        ]
    }

    static func format(_ value: Double) -> String {
        String(Double((value * 10).rounded()) / 10)
    }
}
