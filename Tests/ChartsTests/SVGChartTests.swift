import Charts
import Testing

/// The shared chart code: labels escaped, long names not clipped, no negative zero.
@Suite struct SVGChartTests {
    @Test func labelsAreEscapedAndLongNamesKeepTheirStart() {
        let svg = SVGChart.bars([("<script>alert(1)</script>", 2), ("director_prior_mean_log_revenue", 1)], valueLabel: "x")
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;script&gt;"))
        // The label column widens for the longest name: its text starts at or right of x = 0.
        #expect(svg.contains(">director_prior_mean_log_revenue<"))
        let anchor = svg.components(separatedBy: "<text x='").dropFirst().compactMap { Double($0.prefix { $0 != "'" }) }.first ?? 0
        #expect(anchor >= Double("director_prior_mean_log_revenue".count) * 6)
    }

    @Test func shortNumbersHaveNoNegativeZeroAndNoExponentBelowTenThousand() {
        #expect(SVGChart.short(-0.0000001) == "1e-07" || !SVGChart.short(-0.0).hasPrefix("-"))
        #expect(SVGChart.short(-0.0) == "0")
        #expect(SVGChart.short(6_940) == "6940")
        #expect(SVGChart.short(2_140_000) == "2.14M")
    }

    @Test func marksCarryTheirNumbers() {
        let svg = SVGChart.donut([("High", 3), ("Low", 1)])
        #expect(svg.contains("data-label='High' data-value='3'"))
        #expect(svg.contains("(75.0%)"))
    }
}
