// expect: error: nested function 'inner' cannot be 'vlt'
#include <nvemu/vlt.h>
int outer(int a)
{
	vlt int inner(int b) { return a + b; }

	return inner(1);
}
