#!/usr/bin/env python3
"""Writes the hostile workbooks the .xlsx reader's limits refuse (SheetLimits in src/governance/areas/sheet.h):

  cells_bomb.xlsx    a worksheet of 2,000,000 empty cells (about 20 MB inflated, 45 KB on disk): more
                     cells than max_cells, refused before its XML tree is built;
  strings_bomb.xlsx  a shared-strings table of 1,500,000 entries (about 7 MB inflated, 13 KB on disk): more than
                     max_shared_strings;
  bytes_bomb.xlsx    a worksheet that inflates to 400 MB of blanks (about 400 KB on disk): beyond max_sheet_bytes,
                     refused as it inflates;
  entities_bomb.xlsx a worksheet whose DOCTYPE declares nested entities (a "billion laughs": one cell would expand
                     to 10^9 "lol"): refused for the DOCTYPE, so no entity is ever expanded.

Run from this folder: python3 make_bomb_xlsx.py  (deterministic: fixed timestamps)."""
import zipfile

NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
PR = 'http://schemas.openxmlformats.org/package/2006/relationships'

BASE = {
    '[Content_Types].xml': '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
</Types>''',
    '_rels/.rels': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PR}"><Relationship Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/></Relationships>''',
    'xl/workbook.xml': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{NS}" xmlns:r="{R}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>''',
    'xl/_rels/workbook.xml.rels': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PR}">
<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{R}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>''',
}

HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{NS}"><sheetData>'
TAIL = '</sheetData></worksheet>'


def write(name, parts):
    with zipfile.ZipFile(name, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for path, text in {**BASE, **parts}.items():
            info = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)


row = '<row>' + '<c t="n"/>' * 1000 + '</row>'
write('cells_bomb.xlsx', {'xl/worksheets/sheet1.xml': HEAD + row * 2000 + TAIL,
                          'xl/sharedStrings.xml': f'<sst xmlns="{NS}"></sst>'})
write('strings_bomb.xlsx', {'xl/worksheets/sheet1.xml': HEAD + TAIL,
                            'xl/sharedStrings.xml': f'<sst xmlns="{NS}">' + '<si/>' * 1_500_000 + '</sst>'})
write('bytes_bomb.xlsx', {'xl/worksheets/sheet1.xml': HEAD + ' ' * (400 << 20) + TAIL,
                          'xl/sharedStrings.xml': f'<sst xmlns="{NS}"></sst>'})

LAUGHS = '<!DOCTYPE worksheet [<!ENTITY l0 "lol">' + ''.join(
    f'<!ENTITY l{i} "' + f'&l{i - 1};' * 10 + '">' for i in range(1, 10)) + ']>'
write('entities_bomb.xlsx', {'xl/worksheets/sheet1.xml': HEAD.replace('<worksheet', LAUGHS + '<worksheet', 1).replace(
    '<sheetData>', '<sheetData><row><c t="inlineStr"><is><t>&l9;</t></is></c></row>', 1) + TAIL,
                             'xl/sharedStrings.xml': f'<sst xmlns="{NS}"></sst>'})
