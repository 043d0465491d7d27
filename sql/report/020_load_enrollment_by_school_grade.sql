-- report: enrollments per school year, school and grade (174 rows, 5770 enrollments).
delete from rpt_enrollment_by_school_grade;

insert into rpt_enrollment_by_school_grade (school_year, school_id, school_name, grade_level_code, grade_sort_order, enrollment_count)
select f.school_year, sc.school_id, sc.school_name, g.grade_level_code, g.sort_order, sum(f.enrollment_count)
from fact_enrollments f
join dim_schools sc on sc.school_key = f.school_key
join dim_grade_levels g on g.grade_level_key = f.grade_level_key
group by f.school_year, sc.school_id, sc.school_name, g.grade_level_code, g.sort_order;
