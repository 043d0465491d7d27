-- ods: 3000 students and their enrollments for school years 2023 and 2024.
-- A student's grade in 2024 is student_id % 13 (0 = KG .. 12 = grade 12) and one lower
-- in 2023; students in KG in 2024 have no 2023 enrollment (230 of them), so there are
-- 3000 + 2770 = 5770 enrollments. The school follows from the grade of that year:
-- KG-05 -> 1 + student_id % 8, 06-08 -> 9 + student_id % 6, 09-12 -> 15 + student_id % 6.
-- Flags use moduli coprime with those (sex: last digit 0-4 = F; English learner:
-- student_id % 17 in (0, 5); IEP: student_id % 7 = 0) so they spread over all schools.
delete from ods_students;

insert into ods_students (student_id, first_name, last_name, birth_year, sex_code, is_english_learner, has_iep)
select
  n,
  case n % 10
    when 0 then 'Ava' when 1 then 'Mia' when 2 then 'Zoe' when 3 then 'Ines'
    when 4 then 'Lena' when 5 then 'Liam' when 6 then 'Noah' when 7 then 'Omar'
    when 8 then 'Kai' else 'Raj'
  end,
  case n % 11
    when 0 then 'Garcia' when 1 then 'Smith' when 2 then 'Nguyen' when 3 then 'Johnson'
    when 4 then 'Brown' when 5 then 'Lopez' when 6 then 'Kim' when 7 then 'Patel'
    when 8 then 'Miller' when 9 then 'Davis' else 'Wilson'
  end,
  2019 - n % 13,
  case when n % 10 < 5 then 'F' else 'M' end,
  case when n % 17 in (0, 5) then 1 else 0 end,
  case when n % 7 = 0 then 1 else 0 end
from ods_numbers
where n between 1 and 3000;

delete from ods_enrollments;

insert into ods_enrollments (enrollment_id, student_id, school_id, grade_level_code, school_year)
select
  (x.school_year - 2000) * 10000 + x.student_id,
  x.student_id,
  case
    when x.grade_index <= 5 then 1 + x.student_id % 8
    when x.grade_index <= 8 then 9 + x.student_id % 6
    else 15 + x.student_id % 6
  end,
  g.grade_level_code,
  x.school_year
from (
  select s.student_id, y.school_year, s.student_id % 13 - (2024 - y.school_year) as grade_index
  from ods_students s
  cross join (select 2023 as school_year union all select 2024 as school_year) y
) x
join ods_grade_levels g on g.sort_order = x.grade_index;
