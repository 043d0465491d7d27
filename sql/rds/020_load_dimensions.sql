-- rds: dimensions from the staging tables (13 grade levels, 20 schools, 3000 students).
delete from dim_grade_levels;

insert into dim_grade_levels (grade_level_key, grade_level_code, grade_level_name, sort_order)
select row_number() over (order by sort_order), grade_level_code, grade_level_name, sort_order
from ods_grade_levels;

delete from dim_schools;

insert into dim_schools (school_key, school_id, school_name, district_name, school_level, is_charter)
select row_number() over (order by school_id), school_id, school_name, district_name, school_level, is_charter
from ods_schools;

delete from dim_students;

insert into dim_students (student_key, student_id, full_name, birth_year, sex_code, is_english_learner, has_iep)
select
  row_number() over (order by student_id),
  student_id,
  concat(first_name, ' ', last_name),
  birth_year,
  sex_code,
  is_english_learner,
  has_iep
from ods_students;
