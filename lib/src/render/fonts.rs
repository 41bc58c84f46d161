//! The fonts documents are set in: open-licensed TrueType files read once per container from a
//! directory (`/opt/fonts`, the fonts layer, in Lambda; `FONT_DIR` elsewhere), each character
//! set in the first face that has it. krilla embeds only the glyphs a document uses (a subset),
//! so a PDF carries a few kilobytes of font, not the files.
//!
//! - `DejaVuSans.ttf`, `DejaVuSans-Bold.ttf`: Latin (with Turkish, Polish…), Greek, Cyrillic;
//! - `DroidSansFallbackFull.ttf`: Chinese, Japanese and Korean.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// The files, in the order a character's face is looked for.
const REGULAR: [&str; 2] = ["DejaVuSans.ttf", "DroidSansFallbackFull.ttf"];
const BOLD: [&str; 2] = ["DejaVuSans-Bold.ttf", "DroidSansFallbackFull.ttf"];

/// Where the fonts are: `FONT_DIR`, else the fonts layer's directory.
pub fn font_dir() -> PathBuf {
    std::env::var_os("FONT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/fonts"))
}

/// One face: its bytes (for measuring) and krilla's handle (for drawing).
#[derive(Clone)]
struct Face {
    data: Arc<Vec<u8>>,
    font: Font,
    units_per_em: f32,
}

impl Face {
    fn load(path: &Path) -> Result<Self, FontError> {
        let bytes =
            std::fs::read(path).map_err(|e| FontError(format!("{}: {e}", path.display())))?;
        let data = Arc::new(bytes);
        let units_per_em = FontRef::new(&data)
            .map(|font| f32::from(font.head().map(|h| h.units_per_em()).unwrap_or(1000)))
            .map_err(|_| FontError(format!("{} is not a font", path.display())))?;
        let font = Font::new(data.clone().into(), 0)
            .ok_or_else(|| FontError(format!("{} is not a font", path.display())))?;
        Ok(Self {
            data,
            font,
            units_per_em,
        })
    }

    fn font_ref(&self) -> Option<FontRef<'_>> {
        FontRef::new(&self.data).ok()
    }
}

use skrifa::raw::TableProvider;

/// Why the fonts could not be loaded (a deployment fault: the layer is missing).
#[derive(Debug, Clone, thiserror::Error)]
#[error("font: {0}")]
pub struct FontError(String);

/// Where a character is set: its face, glyph and advance (in ems).
#[derive(Debug, Clone, Copy)]
struct Placed {
    face: usize,
    glyph: u32,
    advance: f32,
}

/// A family: its faces in fallback order, and what each character looked up so far maps to
/// (a document uses a few dozen characters thousands of times).
pub struct Family {
    faces: Vec<Face>,
    placed: Mutex<HashMap<char, Option<Placed>>>,
}

/// A run of text set in one face: its glyphs, placed one after another by their advances.
pub struct Run<'a> {
    pub font: Font,
    pub text: &'a str,
    pub glyphs: Vec<KrillaGlyph>,
    /// The run's width at 1 pt (its advances in ems).
    pub ems: f32,
}

impl Family {
    fn load(dir: &Path, files: &[&str]) -> Result<Self, FontError> {
        let faces = files
            .iter()
            .map(|file| Face::load(&dir.join(file)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            faces,
            placed: Mutex::new(HashMap::new()),
        })
    }

    /// Where `c` is set: the first face that maps it; `None` if none does.
    fn place(&self, c: char) -> Option<Placed> {
        // A poisoned lock only means another render panicked mid-insert: the map is sound.
        let mut placed = self.placed.lock().unwrap_or_else(|e| e.into_inner());
        *placed.entry(c).or_insert_with(|| {
            (0..self.faces.len()).find_map(|face| {
                self.glyph_in(face, c).map(|(glyph, advance)| Placed {
                    face,
                    glyph,
                    advance,
                })
            })
        })
    }

    /// `c` in face `index`, if it has it: its glyph and advance (in ems).
    fn glyph_in(&self, index: usize, c: char) -> Option<(u32, f32)> {
        let face = self.faces.get(index)?;
        let font = face.font_ref()?;
        let glyph = font.charmap().map(c)?;
        let advance = font
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(glyph)
            .unwrap_or_default()
            / face.units_per_em;
        Some((glyph.to_u32(), advance))
    }

    /// The face a character is set in: the first that maps it, else the first.
    fn face_of(&self, c: char) -> usize {
        self.place(c).map_or(0, |p| p.face)
    }

    fn face_having(&self, c: char) -> Option<usize> {
        self.place(c).map(|p| p.face)
    }

    /// `text` as it can be set: a tab as a space, and a character no face has (an emoji, a
    /// script none covers) as U+FFFD, so no glyph is `.notdef` (which PDF/A forbids).
    pub fn printable<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let settable = |c: char| c == ' ' || (c != '\t' && self.face_having(c).is_some());
        if text.chars().all(settable) {
            return text.into();
        }
        text.chars()
            .map(|c| match c {
                '\t' => ' ',
                c if settable(c) => c,
                _ => '\u{fffd}',
            })
            .collect::<String>()
            .into()
    }

    /// `text` cut into runs of one face each.
    pub fn runs<'a>(&self, text: &'a str) -> Vec<Run<'a>> {
        let mut runs = Vec::new();
        let mut start = 0;
        let mut current = None;
        for (index, c) in text.char_indices() {
            // Spaces stay in the run they are in (every face has a space).
            let face = if c.is_whitespace() {
                current.unwrap_or(0)
            } else {
                self.face_of(c)
            };
            if let Some(previous) = current.filter(|f| *f != face) {
                runs.push(self.run(previous, text, start..index));
                start = index;
            }
            current = Some(face);
        }
        if let Some(face) = current {
            runs.push(self.run(face, text, start..text.len()));
        }
        runs
    }

    /// The glyphs of `text[range]` in face `index`: one per character, each advancing by its
    /// width. Without a shaping engine there is no kerning or ligature; combining marks have no
    /// advance and sit on the character before them.
    fn run<'a>(&self, index: usize, text: &'a str, range: std::ops::Range<usize>) -> Run<'a> {
        let mut glyphs = Vec::new();
        let mut ems = 0.0;
        for (offset, c) in text[range.clone()].char_indices() {
            // A character of another face here is a space the run kept: set in this face.
            let (glyph, advance) = match self.place(c) {
                Some(p) if p.face == index => (p.glyph, p.advance),
                _ => self.glyph_in(index, c).unwrap_or((0, 0.0)),
            };
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(glyph),
                advance,
                0.0,
                0.0,
                0.0,
                offset..offset + c.len_utf8(),
                None,
            ));
            ems += advance;
        }
        Run {
            font: self.faces[index].font.clone(),
            text: &text[range],
            glyphs,
            ems,
        }
    }

    /// The advance width of `text` at `size` points, as [`Family::runs`] sets it.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        self.runs(text).iter().map(|run| run.ems * size).sum()
    }
}

/// The regular and bold families.
pub struct Fonts {
    pub regular: Family,
    pub bold: Family,
}

static LOADED: OnceLock<Result<Fonts, FontError>> = OnceLock::new();

impl Fonts {
    /// The fonts of [`font_dir`], read on first use and kept for the container's life.
    pub fn get() -> Result<&'static Fonts, FontError> {
        LOADED
            .get_or_init(|| {
                let dir = font_dir();
                Ok(Fonts {
                    regular: Family::load(&dir, &REGULAR)?,
                    bold: Family::load(&dir, &BOLD)?,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}
