-- Privacy and integrity (docs/CASES.md "Who sees what", docs/ROSTER.md, docs/BALLOTS.md, docs/ELEVATOR.md).
-- A case's apartment is shown to those who see the case without its personal data only when the reporter allowed it.
ALTER TABLE cases ADD COLUMN unit_public INTEGER NOT NULL DEFAULT 0;
-- Owners are people or organizations (common/text_util.h OwnerKindOfName): a person's name is masked in public
-- views, an organization's is not. Existing owners get their kind from the Chinese suffixes OwnerKindOfName knows.
ALTER TABLE owners ADD COLUMN kind TEXT NOT NULL DEFAULT 'person';
UPDATE owners SET kind = 'organization' WHERE name LIKE '_%公司' OR name LIKE '_%集团' OR name LIKE '_%中心'
  OR name LIKE '_%委员会' OR name LIKE '_%合作社' OR name LIKE '_%银行' OR name LIKE '_%医院' OR name LIKE '_%学校'
  OR name LIKE '_%学院' OR name LIKE '_%大学' OR name LIKE '_%研究所' OR name LIKE '_%研究院' OR name LIKE '_%事务所'
  OR name LIKE '_%基金会' OR name LIKE '_%协会' OR name LIKE '_%幼儿园' OR name LIKE '_%管理局' OR name LIKE '_%管理处'
  OR name LIKE '_%办事处' OR name LIKE '_%酒店' OR name LIKE '_%商店' OR name LIKE '_%工厂';
-- Staff replacing an owner's own online ballot with a paper or proxy one say why (docs/BALLOTS.md).
ALTER TABLE ballot_votes ADD COLUMN replace_reason TEXT NOT NULL DEFAULT '';
