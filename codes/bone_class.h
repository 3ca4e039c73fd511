/*
 * Bone-therapy coverage classes (clinical-rules 7.2 D4): how many calendar months one record of a
 * bone_sparing_treatment row covers, decided from that row (its display, or its ATC code), never from
 * the record's own display (7.1 "Medicines").
 */
#ifndef FLS_CODES_BONE_CLASS_H
#define FLS_CODES_BONE_CLASS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Coverage months of a bone_sparing_treatment row: 15 (zoledronic acid), 7 (denosumab), 3 (teriparatide,
 * abaloparatide, romosozumab) or 6 (every other row). display is the row's display (any case); atc is the
 * row's upper-cased ATC code, or NULL for rows of other systems.
 */
uint8_t codes_bone_months(const char *display, size_t display_len, const char *atc, size_t atc_len);

/* 1 when needle (lower-case ASCII) occurs in hay[0..n) ignoring ASCII case. */
int codes_ci_contains(const char *hay, size_t n, const char *needle);

#endif
