// expect: error: vlt function 'outer' contains nested function 'inner'
#include <nvemu/vlt.h>
vlt int outer(int a)
{
	int inner(int b) { return a + b; }

	return inner(1);
}
