/// An sRGB colour used for series strokes and fills.
///
/// ```
/// hex = "#" + rr + gg + bb   (two lowercase hex digits per channel)
/// ```
/// - Complexity: O(1).
/// - Source: SVG 1.1 colour syntax (W3C REC-SVG11-20110816 §4.2).
public struct Color: Sendable, Hashable {
    /// Red channel, 0…255.
    public var red: UInt8
    /// Green channel, 0…255.
    public var green: UInt8
    /// Blue channel, 0…255.
    public var blue: UInt8

    /// Creates a colour from 8-bit channels.
    ///
    /// ```
    /// Color(red: r, green: g, blue: b)
    /// ```
    /// - Complexity: O(1).
    /// - Source: sRGB, IEC 61966-2-1.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// The colour as an SVG hex string, e.g. `#0072b2`.
    ///
    /// ```
    /// "#" + hex(red) + hex(green) + hex(blue)
    /// ```
    /// - Complexity: O(1).
    /// - Source: SVG 1.1 §4.2.
    public var hex: String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = "#"
        for channel in [red, green, blue] {
            text.append(digits[Int(channel >> 4)])
            text.append(digits[Int(channel & 0x0f)])
        }
        return text
    }

    /// Okabe–Ito black.
    public static let black = Color(red: 0, green: 0, blue: 0)
    /// Okabe–Ito orange (#E69F00).
    public static let orange = Color(red: 0xE6, green: 0x9F, blue: 0x00)
    /// Okabe–Ito sky blue (#56B4E9).
    public static let skyBlue = Color(red: 0x56, green: 0xB4, blue: 0xE9)
    /// Okabe–Ito bluish green (#009E73).
    public static let bluishGreen = Color(red: 0x00, green: 0x9E, blue: 0x73)
    /// Okabe–Ito yellow (#F0E442); low contrast on white, so not in the automatic palette.
    public static let yellow = Color(red: 0xF0, green: 0xE4, blue: 0x42)
    /// Okabe–Ito blue (#0072B2).
    public static let blue = Color(red: 0x00, green: 0x72, blue: 0xB2)
    /// Okabe–Ito vermillion (#D55E00).
    public static let vermillion = Color(red: 0xD5, green: 0x5E, blue: 0x00)
    /// Okabe–Ito reddish purple (#CC79A7).
    public static let reddishPurple = Color(red: 0xCC, green: 0x79, blue: 0xA7)
    /// Neutral dark grey used for reference lines.
    public static let referenceGrey = Color(red: 0x44, green: 0x44, blue: 0x44)

    /// The automatic series palette: the colour-blind–safe Okabe–Ito set, ordered for contrast
    /// on white, without yellow.
    ///
    /// ```
    /// palette = [blue, vermillion, bluishGreen, orange, reddishPurple, skyBlue, black]
    /// colour(series i) = palette[i mod 7]
    /// ```
    /// - Complexity: O(1).
    /// - Source: M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
    ///   presentations that are friendly to colorblind people" (2008), https://jfly.uni-koeln.de/color/
    public static let palette: [Color] = [
        .blue, .vermillion, .bluishGreen, .orange, .reddishPurple, .skyBlue, .black,
    ]
}
