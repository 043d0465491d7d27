-- rds: one fact row per staged enrollment (5770), keyed by the dimensions.
delete from fact_enrollments;

insert into fact_enrollments (enrollment_id, school_year, school_key, student_key, grade_level_key, enrollment_count)
select e.enrollment_id, e.school_year, sc.school_key, st.student_key, g.grade_level_key, 1
from ods_enrollments e
join dim_schools sc on sc.school_id = e.school_id
join dim_students st on st.student_id = e.student_id
join dim_grade_levels g on g.grade_level_code = e.grade_level_code;
