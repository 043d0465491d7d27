-- ods: reference grade levels (KG, 01..12) and 20 schools.
-- Schools 1-8 are elementary (KG-05), 9-14 middle (06-08), 15-20 high (09-12);
-- district = 1 + school_id % 4; every fifth school is a charter.
delete from ods_grade_levels;

insert into ods_grade_levels (grade_level_code, grade_level_name, sort_order) values
  ('KG', 'Kindergarten', 0),
  ('01', 'First grade', 1),
  ('02', 'Second grade', 2),
  ('03', 'Third grade', 3),
  ('04', 'Fourth grade', 4),
  ('05', 'Fifth grade', 5),
  ('06', 'Sixth grade', 6),
  ('07', 'Seventh grade', 7),
  ('08', 'Eighth grade', 8),
  ('09', 'Ninth grade', 9),
  ('10', 'Tenth grade', 10),
  ('11', 'Eleventh grade', 11),
  ('12', 'Twelfth grade', 12);

delete from ods_schools;

insert into ods_schools (school_id, school_name, district_name, school_level, is_charter)
select
  n,
  concat(
    case n % 5
      when 0 then 'Lincoln'
      when 1 then 'Washington'
      when 2 then 'Jefferson'
      when 3 then 'Roosevelt'
      else 'Madison'
    end,
    ' ',
    case
      when n <= 8 then 'Elementary School'
      when n <= 14 then 'Middle School'
      else 'High School'
    end,
    ' ',
    n
  ),
  concat('District ', 1 + n % 4),
  case
    when n <= 8 then 'Elementary'
    when n <= 14 then 'Middle'
    else 'High'
  end,
  case when n % 5 = 0 then 1 else 0 end
from ods_numbers
where n between 1 and 20;
