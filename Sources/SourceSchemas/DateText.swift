import Foundation

/// The date layouts exports write most, read straight from their digits: `2026-09-01`,
/// `2026-09-01T18:04:05Z` (and with a space, fractional seconds, or an offset such as `+02:00`),
/// `2026/09/01`, and `09/01/2026 18:04` (month first). A formatter takes 25 µs a date; this a
/// fraction of one, which is most of reading a large event log. Anything else is nil, for the
/// formatters to try.
enum DateText {
    static func parse(_ text: String) -> Date? {
        var utf8 = text.utf8[...]
        func digits(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let byte = utf8.first, byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                utf8 = utf8.dropFirst()
            }
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard utf8.first == byte else { return false }
            utf8 = utf8.dropFirst()
            return true
        }
        let year: Int
        let month: Int
        let day: Int
        if let first = digits(4) {
            let separator = utf8.first
            guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") else { return nil }
            utf8 = utf8.dropFirst()
            guard let m = digits(2), let separator, take(separator), let d = digits(2) else { return nil }
            (year, month, day) = (first, m, d)
        } else {
            utf8 = text.utf8[...]
            guard let m = digits(2), take(UInt8(ascii: "/")), let d = digits(2), take(UInt8(ascii: "/")), let y = digits(4) else {
                return nil
            }
            (year, month, day) = (y, m, d)
        }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if utf8.isEmpty { return Date(timeIntervalSince1970: seconds) }
        guard take(UInt8(ascii: "T")) || take(UInt8(ascii: " ")), let hour = digits(2), take(UInt8(ascii: ":")), let minute = digits(2),
            hour < 24, minute < 60
        else { return nil }
        seconds += Double(hour * 3_600 + minute * 60)
        if take(UInt8(ascii: ":")) {
            guard let second = digits(2), second < 61 else { return nil }
            seconds += Double(second)
            if take(UInt8(ascii: ".")) {
                var scale = 0.1
                var fraction = 0.0
                while let byte = utf8.first, byte >= 48, byte <= 57 {
                    fraction += Double(byte - 48) * scale
                    scale /= 10
                    utf8 = utf8.dropFirst()
                }
                seconds += fraction
            }
        }
        if utf8.isEmpty || take(UInt8(ascii: "Z")) && utf8.isEmpty { return Date(timeIntervalSince1970: seconds) }
        let sign: Double
        if take(UInt8(ascii: "+")) {
            sign = 1
        } else if take(UInt8(ascii: "-")) {
            sign = -1
        } else {
            return nil
        }
        guard let offsetHours = digits(2) else { return nil }
        _ = take(UInt8(ascii: ":"))
        guard let offsetMinutes = digits(2), utf8.isEmpty, offsetHours < 24, offsetMinutes < 60 else { return nil }
        return Date(timeIntervalSince1970: seconds - sign * Double(offsetHours * 3_600 + offsetMinutes * 60))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
