// Package guard is the disclosure guard: before a payload is sent, every
// field meant to be anonymous is checked for data that could identify the
// household, and a match refuses the send, naming the field and the match.
// It is pure: no I/O, no state; Check reads the clock only to know today.
//
// Rules (decisions the design leaves open):
//
//   - Text is normalised first: Unicode NFKD, accents and invisible format
//     characters removed, dashes unified, white space collapsed. Matching is
//     case-insensitive, and a finding's Match is the normalised text.
//   - UK postcodes in every official shape (A9 9AA, A99 9AA, AA9 9AA,
//     AA99 9AA, A9A 9AA, AA9A 9AA, GIR 0AA), with or without the space, in
//     any case, but not inside a longer run of letters and digits. Any
//     letter is accepted in each position (a mistyped postcode still
//     locates someone), so an unusual token such as "MP3 4th" is flagged.
//   - UK phone numbers: a national number of 10 or 11 digits starting 01,
//     02, 03, 05, 07, 08 or 09 (including 0800 and Ofcom's drama range
//     07700 900xxx), or the same after +44 or 0044 (with or without "(0)"),
//     with spaces, dashes and brackets anywhere between digits. A run of
//     more digits, or one touching a digit, is not a UK number.
//   - Email addresses with a dotted domain.
//   - Dates of birth: any full date (YYYY-MM-DD, YYYY/MM/DD, DD/MM/YYYY,
//     DD.MM.YYYY, DD-MM-YYYY, "14 March 1991", "14th Mar 1991",
//     "March 14, 1991") that exists in the calendar, from 1900-01-01 up to
//     today; a numeric date is read both day-first and month-first. A date
//     after today is not a date of birth, so viewing dates and move-in dates
//     pass. A household member's own date of birth is flagged in any of
//     these forms and also as DD/MM/YY.
//   - The household's names: each full name and each part of a name with 3
//     or more letters, split at spaces and hyphens, on word boundaries in
//     any script ("Lina" matches "LINA" but not "Linacre"). A name part that
//     is an ordinary English word ("Grace", "Price") is flagged all the
//     same: survivor safety beats convenience, and the caseworker can
//     reword.
//   - The household's address: the whole address, its first line (with the
//     next when the first only names a flat: "Flat 3, 22 Marine Parade"),
//     each street line with and without its house number ("14 Orchard Row",
//     "Orchard Row"), and its postcode (by the postcode rule). The town on
//     its own is not flagged: districts and towns are how needs are
//     expressed.
//   - The household's phones and emails, in any spacing and with +44 or
//     0044, even when not UK-shaped.
//   - Household.Passages (risk notes, support worker, safe-to-call times):
//     the whole passage and each sentence or clause of at least
//     MinPassageChars characters, pasted anywhere.
//   - In one field, a finding inside another (the postcode inside the whole
//     address) and a repeat of the same text are reported once.
//
// A finding's text is the identifying data itself: show it to the user who
// typed it, never log it.
package guard
