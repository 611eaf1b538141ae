import JLExperimentKit
import Testing

@Suite("Tables, CSV and number formatting")
struct FormattingTests {
    @Test("the text table right-aligns numbers, left-aligns text and underlines the header")
    func tableAlignment() {
        let table = TextTable(headers: ["transform", "m", "theory", "empirical"], rows: [
            ["gaussian", "64", "0.125", "0.1249"],
            ["srht", "1024", "1.5e-05", "nan"],
            ["count-sketch", "8", "-2", ""],
        ])
        let expected = """
            transform        m   theory  empirical
            ------------  ----  -------  ---------
            gaussian        64    0.125     0.1249
            srht          1024  1.5e-05        nan
            count-sketch     8       -2

            """
        #expect(table.render() == expected)
    }

    @Test("explicit alignment, short rows and extra cells")
    func tableEdges() {
        let table = TextTable(columns: [.init("id", alignment: .left), .init("x", alignment: .right)], rows: [["7", "ab"], ["10"], ["1", "2", "extra"]])
        #expect(table.render() == "id   x\n--  --  -----\n7   ab\n10\n1    2  extra\n")
        #expect(TextTable(headers: []).render() == "")
    }

    @Test("CSV quotes commas, quotes, newlines and edge spaces, and nothing else")
    func csvQuoting() {
        #expect(CSVTable.quote("plain") == "plain")
        #expect(CSVTable.quote("") == "")
        #expect(CSVTable.quote("a,b") == "\"a,b\"")
        #expect(CSVTable.quote("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVTable.quote("two\nlines") == "\"two\nlines\"")
        #expect(CSVTable.quote("cr\rhere") == "\"cr\rhere\"")
        #expect(CSVTable.quote(" padded") == "\" padded\"")
        #expect(CSVTable.quote("1.5e-05") == "1.5e-05")
        let csv = CSVTable(header: ["name", "value"], rows: [["a,b", "1"], ["q\"", "2"]])
        #expect(csv.render() == "name,value\n\"a,b\",1\n\"q\"\"\",2\n")
    }

    @Test("significant, fixed and scientific formatting give known strings")
    func numberFormat() {
        #expect(NumberFormat.significant(0.158655253931457, digits: 4) == "0.1587")
        #expect(NumberFormat.significant(1234567, digits: 3) == "1.23e+06")
        #expect(NumberFormat.significant(0.0001, digits: 3) == "0.0001")
        #expect(NumberFormat.significant(0.00001234, digits: 3) == "1.23e-05")
        #expect(NumberFormat.significant(2, digits: 6) == "2")
        #expect(NumberFormat.significant(1.0 / 3.0, digits: 40) == "0.33333333333333331")  // clamped to 17
        #expect(NumberFormat.fixed(2.0 / 3.0, decimals: 3) == "0.667")
        #expect(NumberFormat.fixed(-1.5, decimals: 0) == "-2")  // round-half-even in printf
        #expect(NumberFormat.scientific(0.000123456, digits: 3) == "1.23e-04")
        #expect(NumberFormat.significant(.nan, digits: 3) == "nan")
        #expect(NumberFormat.fixed(-.infinity, decimals: 2) == "-inf")
        #expect(NumberFormat.fixed(1e300, decimals: 2).count == 304)
    }
}
