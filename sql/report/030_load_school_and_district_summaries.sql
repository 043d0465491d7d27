-- report: students per school and school year (40 rows) and per district (8 rows).
delete from rpt_students_per_school;

insert into rpt_students_per_school (school_year, school_id, school_name, school_level, student_count, female_count, english_learner_count, iep_count)
select
  f.school_year,
  sc.school_id,
  sc.school_name,
  sc.school_level,
  count(distinct f.student_key),
  sum(case when st.sex_code = 'F' then 1 else 0 end),
  sum(st.is_english_learner),
  sum(st.has_iep)
from fact_enrollments f
join dim_schools sc on sc.school_key = f.school_key
join dim_students st on st.student_key = f.student_key
group by f.school_year, sc.school_id, sc.school_name, sc.school_level;

delete from rpt_district_summary;

insert into rpt_district_summary (school_year, district_name, school_count, student_count, charter_student_count)
select
  f.school_year,
  sc.district_name,
  count(distinct sc.school_key),
  count(distinct f.student_key),
  count(distinct case when sc.is_charter = 1 then f.student_key end)
from fact_enrollments f
join dim_schools sc on sc.school_key = f.school_key
group by f.school_year, sc.district_name;
