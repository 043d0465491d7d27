-- report: report tables built from rds. Re-runnable: dropped and created again.
drop table if exists rpt_enrollment_by_school_grade;
drop table if exists rpt_students_per_school;
drop table if exists rpt_district_summary;

create table rpt_enrollment_by_school_grade (
  school_year integer not null,
  school_id integer not null,
  school_name varchar(100) not null,
  grade_level_code varchar(2) not null,
  grade_sort_order integer not null,
  enrollment_count integer not null,
  primary key (school_year, school_id, grade_level_code)
);

create table rpt_students_per_school (
  school_year integer not null,
  school_id integer not null,
  school_name varchar(100) not null,
  school_level varchar(20) not null,
  student_count integer not null,
  female_count integer not null,
  english_learner_count integer not null,
  iep_count integer not null,
  primary key (school_year, school_id)
);

create table rpt_district_summary (
  school_year integer not null,
  district_name varchar(100) not null,
  school_count integer not null,
  student_count integer not null,
  charter_student_count integer not null,
  primary key (school_year, district_name)
);
