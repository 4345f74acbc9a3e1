#!/usr/bin/env python3
"""Writes handmade.xlsx: a roster workbook shaped the way other producers shape them, to test the .xlsx reader on
what libxlsxwriter never writes: a namespace prefix on every element ("x:", as the OpenXML SDK writes), a workbook
whose first sheet is not sheet1.xml, rich-text shared strings with phonetic runs, an inline string, numbers with
binary noise and in E notation, a boolean, a formula with its cached value, cells without references, a merged
building column, and an _xHHHH_ escape.

Run from this folder: python3 make_handmade_xlsx.py  (deterministic: fixed timestamps)."""
import zipfile

NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
PR = 'http://schemas.openxmlformats.org/package/2006/relationships'

parts = {
    '[Content_Types].xml': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/roster.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/other.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/strings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>''',
    '_rels/.rels': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PR}"><Relationship Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/></Relationships>''',
    'xl/workbook.xml': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:workbook xmlns:x="{NS}" xmlns:r="{R}"><x:sheets>
<x:sheet name="花名册" sheetId="7" r:id="rId9"/>
<x:sheet name="Other" sheetId="1" r:id="rId1"/>
</x:sheets></x:workbook>''',
    'xl/_rels/workbook.xml.rels': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PR}">
<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/other.xml"/>
<Relationship Id="rId9" Type="{R}/worksheet" Target="/xl/worksheets/roster.xml"/>
<Relationship Id="rId3" Type="{R}/sharedStrings" Target="strings.xml"/>
</Relationships>''',
    'xl/strings.xml': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:sst xmlns:x="{NS}" count="12" uniqueCount="12">
<x:si><x:t>楼栋</x:t></x:si>
<x:si><x:t>门洞</x:t></x:si>
<x:si><x:t>室号</x:t></x:si>
<x:si><x:t>楼层</x:t></x:si>
<x:si><x:t>建筑面积</x:t></x:si>
<x:si><x:r><x:rPr><x:b/></x:rPr><x:t>业主</x:t></x:r><x:r><x:t>姓名</x:t></x:r></x:si>
<x:si><x:t xml:space="preserve"> 业主电话 </x:t></x:si>
<x:si><x:t>开发商未售</x:t></x:si>
<x:si><x:t>1号楼</x:t></x:si>
<x:si><x:t>张伟</x:t><x:rPh sb="0" eb="2"><x:t>ちょう</x:t></x:rPh></x:si>
<x:si><x:t>0101</x:t></x:si>
<x:si><x:t>A_x005F_x0042_&amp;C</x:t></x:si>
</x:sst>''',
    # Row 1: the header. Row 2: a unit with its number as a shared string, an area with binary noise and a phone in
    # E notation. Row 3: the building merged from A2, cells without references, a boolean and a formula. Row 5 (4 is
    # missing): an inline string and an escaped entrance name. Trailing empty styled cells, as Excel leaves them.
    'xl/worksheets/roster.xml': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="{NS}" xmlns:r="{R}"><x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="s"><x:v>3</x:v></x:c><x:c r="E1" t="s"><x:v>4</x:v></x:c><x:c r="F1" t="s"><x:v>5</x:v></x:c><x:c r="G1" t="s"><x:v>6</x:v></x:c><x:c r="H1" t="s"><x:v>7</x:v></x:c></x:row>
<x:row r="2"><x:c r="A2" t="s"><x:v>8</x:v></x:c><x:c r="B2"><x:v>1</x:v></x:c><x:c r="C2" t="s"><x:v>10</x:v></x:c><x:c r="D2"><x:v>1</x:v></x:c><x:c r="E2"><x:v>89.510000000000005</x:v></x:c><x:c r="F2" t="s"><x:v>9</x:v></x:c><x:c r="G2"><x:v>1.3812345678E10</x:v></x:c><x:c r="H2" t="b"><x:v>0</x:v></x:c></x:row>
<x:row r="3"><x:c r="A3" s="1"/><x:c><x:v>1</x:v></x:c><x:c><x:v>102</x:v></x:c><x:c><x:v>1</x:v></x:c><x:c><x:f>60+6.5</x:f><x:v>66.5</x:v></x:c><x:c r="H3" t="b"><x:v>1</x:v></x:c><x:c r="Z3" s="2"/></x:row>
<x:row r="5"><x:c r="A5" t="inlineStr"><x:is><x:t>2号楼</x:t></x:is></x:c><x:c r="B5" t="s"><x:v>11</x:v></x:c><x:c r="C5" t="str"><x:f>"2"&amp;"01"</x:f><x:v>201</x:v></x:c><x:c r="E5"><x:v>120</x:v></x:c><x:c r="F5" t="inlineStr"><x:is><x:r><x:t>李</x:t></x:r><x:r><x:t>娜</x:t></x:r></x:is></x:c></x:row>
</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A2:A3"/></x:mergeCells></x:worksheet>''',
    'xl/worksheets/other.xml': f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="{NS}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>wrong sheet</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>''',
}

with zipfile.ZipFile('handmade.xlsx', 'w', zipfile.ZIP_DEFLATED) as z:
    for name, text in parts.items():
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, text.encode('utf-8'))
