//! A small RFC 4180 CSV writer (all the export needs; no extra dependency).

pub(super) struct Writer {
    out: String,
}

impl Writer {
    pub(super) fn new() -> Self {
        Self { out: String::new() }
    }

    pub(super) fn row(&mut self, cells: &[&str]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.cell(cell);
        }
        self.out.push_str("\r\n");
    }

    fn cell(&mut self, raw: &str) {
        // A cell starting with = + - @ (or a tab / CR) runs as a formula in spreadsheet apps;
        // names and reasons come from iCIMS, so defuse them (OWASP "CSV injection").
        let defused;
        let cell = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            defused = format!("'{raw}");
            defused.as_str()
        } else {
            raw
        };
        if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ') {
            self.out.push('"');
            self.out.push_str(&cell.replace('"', "\"\""));
            self.out.push('"');
        } else {
            self.out.push_str(cell);
        }
    }

    pub(super) fn finish(self) -> String {
        self.out
    }
}
